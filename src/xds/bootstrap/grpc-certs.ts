import type { DataplaneSpec, MeshSpec } from '../../core/resources/specs.js';
import type { StoreView } from '../../core/view/store-view.js';
import { ShuttingDownError } from '../../core/errors.js';
import type { CertificateSigner } from '../../mtls/certificate-signer.js';
import { meshCaMaterial } from '../../mtls/mesh-ca.js';
import { SigningQueueFullError } from '../../mtls/signing-pool.js';
import { RENEW_WHEN_LEFT, WorkloadIdentities, type IssuedIdentity } from '../../mtls/workload-identity.js';
import { CertificateError } from '../../mtls/x509.js';
import { proxyTagSets } from '../generator/policy-match.js';

/** What GET /bootstrap/grpc/certs answers: the files of the bootstrap's file_watcher certificate provider. */
export interface CertificateFiles {
  /** cert.pem: the workload certificate (URI SANs spiffe://<mesh>/<service>, kuma://<tag>/<value>). */
  readonly certificate: string;
  /** key.pem */
  readonly privateKey: string;
  /** ca.pem: the mesh CA. */
  readonly caCertificate: string;
  readonly expiresAt: string;
  /** Fetch again from then on (1/5 of the lifetime left, as kuma-dp and the sidecars' certificates renew). */
  readonly renewAfter: string;
}

export type CertificatesResult = { readonly certs: CertificateFiles } | { readonly status: number; readonly error: string };

/** Proxies whose certificates are kept for re-delivery; beyond, the least recently asked for is forgotten. */
const MAX_PROXIES = 10_000;

/**
 * Workload certificates of proxyless data planes, from the one issuer of the mesh's workload certificates
 * (WorkloadIdentities: same SANs and lifetime as a sidecar's, signed by the runtime's signing pool off the
 * event loop): a proxy asking again gets the same certificate until it is due for renewal, so repeated fetches
 * neither sign again nor change the files under a running application. At most MAX_PROXIES are remembered.
 * A CA that cannot sign, a full signing queue or a stopping control plane answer 503 with the reason.
 */
export class ProxylessCertificates {
  private readonly identities: WorkloadIdentities;
  /** Proxy keys, least recently asked for first. */
  private readonly recent = new Set<string>();

  constructor(
    /** The Secrets the mesh CA is read from: the view holds this instance's writes (the CA Secrets come with their Mesh) before they settle. */
    private readonly view: Pick<StoreView, 'list'>,
    signer: CertificateSigner,
    private readonly now: () => number = Date.now,
  ) {
    this.identities = new WorkloadIdentities(signer, undefined, now);
  }

  /** For the proxy `<mesh>.<name>` whose Dataplane (stored, or the one it registers inline) is `spec`. */
  async issue(mesh: string, meshSpec: MeshSpec, name: string, spec: DataplaneSpec): Promise<CertificatesResult> {
    const material = meshCaMaterial(mesh, meshSpec, this.view.list('Secret', { mesh }));
    if (!material) return { status: 409, error: `mesh "${mesh}" has no mTLS backend enabled: proxyless clients use plaintext` };
    if ('error' in material) return { status: 503, error: material.error };
    const key = `${mesh}.${name}`;
    this.remember(key);
    let issued: IssuedIdentity;
    try {
      issued = await this.identities.issue(key, { mesh, ca: material.ca, tagSets: proxyTagSets(spec) });
    } catch (err) {
      if (err instanceof CertificateError || err instanceof SigningQueueFullError || err instanceof ShuttingDownError) return { status: 503, error: err.message };
      throw err;
    }
    const renewAfter = Math.max(this.now(), issued.expiresAt.getTime() - material.ca.workloadLifetimeMs * RENEW_WHEN_LEFT);
    return {
      certs: {
        certificate: issued.certPem,
        privateKey: issued.keyPem,
        caCertificate: issued.caPem,
        expiresAt: issued.expiresAt.toISOString(),
        renewAfter: new Date(renewAfter).toISOString(),
      },
    };
  }

  stop(): void {
    this.identities.stop();
  }

  private remember(key: string): void {
    this.recent.delete(key);
    this.recent.add(key);
    if (this.recent.size <= MAX_PROXIES) return;
    const [oldest] = this.recent;
    if (oldest === undefined) return;
    this.recent.delete(oldest);
    this.identities.forget(oldest);
  }
}
