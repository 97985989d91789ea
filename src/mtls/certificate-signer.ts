import { createHash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { issueWorkloadCert, loadCaSigner, type CaSigner } from './x509.js';

/** One workload certificate to issue: the CA that signs it, its URI SANs and its validity. */
export interface SignRequest {
  readonly caCertPem: string;
  readonly caKeyPem: string;
  readonly uris: readonly string[];
  readonly lifetimeMs: number;
  /** Validity starts here (minus the clock skew), ms since the epoch. */
  readonly nowMs: number;
}

export interface SignedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfterMs: number;
  /** The thread that generated the key and signed (`worker_threads` threadId; 0 is the main thread). */
  readonly threadId: number;
}

/**
 * Generates a workload key and signs its certificate. Two implementations: SigningPool (worker threads, what
 * the control plane uses: the ASN.1 work of @peculiar/x509 is synchronous JavaScript) and InThreadSigner
 * (the work itself, run by each worker; in the calling thread when used directly).
 */
export interface CertificateSigner {
  sign(request: SignRequest): Promise<SignedCertificate>;
  /** Stops taking requests; pending ones are refused (ShuttingDownError). */
  close(): Promise<void>;
}

/** Imported CAs kept per signer; beyond, the cache starts over (a CA no longer used is dropped). */
const MAX_CAS = 64;

/** Signs in the calling thread, with each CA imported once (by content). */
export class InThreadSigner implements CertificateSigner {
  private readonly cas = new Map<string, Promise<CaSigner>>();

  async sign(request: SignRequest): Promise<SignedCertificate> {
    const ca = await this.ca(request.caCertPem, request.caKeyPem);
    const cert = await issueWorkloadCert(ca, request.uris, request.lifetimeMs, new Date(request.nowMs));
    return { certPem: cert.certPem, keyPem: cert.keyPem, notAfterMs: cert.notAfter.getTime(), threadId };
  }

  close(): Promise<void> {
    this.cas.clear();
    return Promise.resolve();
  }

  private ca(certPem: string, keyPem: string): Promise<CaSigner> {
    const key = createHash('sha256').update(certPem).update('\n').update(keyPem).digest('base64url');
    let ca = this.cas.get(key);
    if (!ca) {
      if (this.cas.size >= MAX_CAS) this.cas.clear();
      ca = loadCaSigner(certPem, keyPem);
      ca.catch(() => this.cas.delete(key));
      this.cas.set(key, ca);
    }
    return ca;
  }
}
