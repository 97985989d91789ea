import type { SignedCertificate, SignRequest } from './certificate-signer.js';

/** What the pool posts to a signing worker. */
export interface SignJob {
  readonly id: number;
  readonly request: SignRequest;
}

/** What a signing worker answers: the certificate, or why not (`certificate`: the CA or request is unusable). */
export type SignOutcome =
  | { readonly id: number; readonly ok: true; readonly cert: SignedCertificate }
  | { readonly id: number; readonly ok: false; readonly kind: 'certificate' | 'internal'; readonly message: string };
