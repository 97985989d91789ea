/**
 * Entry point of a signing worker thread (started by SigningPool): answers each SignJob with a SignOutcome.
 * Jobs run concurrently; the key generation and signature go on to the libuv pool, the ASN.1 runs here.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { errorMessage } from '../core/errors.js';
import { InThreadSigner } from './certificate-signer.js';
import type { SignJob, SignOutcome } from './signing-protocol.js';
import { CertificateError } from './x509.js';

function serve(port: MessagePort): void {
  const signer = new InThreadSigner();
  port.on('message', (job: SignJob) => {
    signer.sign(job.request).then(
      (cert) => port.postMessage({ id: job.id, ok: true, cert } satisfies SignOutcome),
      (err: unknown) =>
        port.postMessage({ id: job.id, ok: false, kind: err instanceof CertificateError ? 'certificate' : 'internal', message: errorMessage(err) } satisfies SignOutcome),
    );
  });
}

if (!parentPort) throw new Error('signing-worker.js runs as a worker thread of the signing pool');
serve(parentPort);
