import type { MeshSpec, DataplaneSpec, Tags } from '../../core/resources/specs.js';
import { SERVICE_TAG } from '../../core/resources/specs.js';
import type { ResourceStore } from '../../core/store/resource-store.js';
import { meshCaMaterial } from '../../mtls/mesh-ca.js';
import { issueWorkloadCert, loadCaSigner } from '../../mtls/x509.js';
import { spiffeId } from '../envoy/xds-tls.js';
import { sourceTags } from '../generator/source-tags.js';

/** What GET /bootstrap/grpc/certs answers: the files of the bootstrap's file_watcher certificate provider. */
export interface ProxylessCertificates {
  /** cert.pem: the workload certificate (URI SANs spiffe://<mesh>/<service>, kuma://<tag>/<value>). */
  readonly certificate: string;
  /** key.pem */
  readonly privateKey: string;
  /** ca.pem: the mesh CA. */
  readonly caCertificate: string;
  readonly expiresAt: string;
  /** Fetch again from then on (4/5 of the lifetime, as kuma-dp rotates). */
  readonly renewAfter: string;
}

export type CertificatesResult = { readonly certs: ProxylessCertificates } | { readonly status: number; readonly error: string };

const RENEW_AT = 0.8;

/**
 * A workload certificate for a proxyless data plane of `mesh` from the mesh's CA (src/mtls, the one CA
 * module): for the tags of its Dataplane `spec` (stored, or the one it registers inline on connect).
 * Every call signs a fresh certificate; clients fetch again at `renewAfter`.
 */
export async function proxylessCertificates(store: ResourceStore, mesh: string, meshSpec: MeshSpec, spec: DataplaneSpec, now = new Date()): Promise<CertificatesResult> {
  const secrets = await store.list('Secret', { mesh });
  const material = meshCaMaterial(mesh, meshSpec, secrets);
  if (!material) return { status: 409, error: `mesh "${mesh}" has no mTLS backend enabled: proxyless clients use plaintext` };
  if ('error' in material) return { status: 503, error: material.error };
  const tagSets = sourceTags(spec);
  const signer = await loadCaSigner(material.ca.certPem, material.ca.keyPem);
  const issued = await issueWorkloadCert(signer, certificateUris(mesh, tagSets), material.ca.workloadLifetimeMs, now);
  const renewAfter = new Date(now.getTime() + (issued.notAfter.getTime() - now.getTime()) * RENEW_AT);
  return {
    certs: {
      certificate: issued.certPem,
      privateKey: issued.keyPem,
      caCertificate: material.ca.certPem,
      expiresAt: issued.notAfter.toISOString(),
      renewAfter: renewAfter.toISOString(),
    },
  };
}

/** Kuma's workload SANs: each service's SPIFFE id, then `kuma://<tag>/<value>` for every tag, sorted. */
function certificateUris(mesh: string, tagSets: readonly Tags[]): string[] {
  const services = new Set<string>();
  const tags = new Set<string>();
  for (const set of tagSets) {
    for (const [k, v] of Object.entries(set)) {
      if (k === SERVICE_TAG) services.add(spiffeId(mesh, v));
      tags.add(`kuma://${k}/${v}`);
    }
  }
  return [...[...services].sort(), ...[...tags].sort()];
}
