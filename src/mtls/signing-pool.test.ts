// The pool's workers run the compiled dist/src/mtls/signing-worker.js: `npm run build` first (as for the e2e tests).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { ShuttingDownError } from '../core/errors.js';
import { logger } from '../core/logging.js';
import { buildRuntime } from '../core/runtime/bootstrap.js';
import { MemoryStore } from '../plugins/store/memory/memory-store.js';
import { InThreadSigner, type CertificateSigner, type SignRequest } from './certificate-signer.js';
import { SigningPool, SigningQueueFullError, SigningWorkerError } from './signing-pool.js';
import { CertificateError, generateRootCa, type KeyPairPem } from './x509.js';

const URIS = ['spiffe://demo/web', 'kuma://kuma.io/service/web', 'kuma://version/v1'];

describe('certificate signing pool', () => {
  let ca: KeyPairPem;
  let other: KeyPairPem;
  const opened: CertificateSigner[] = [];
  const request = (over: Partial<SignRequest> = {}): SignRequest => ({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, uris: URIS, lifetimeMs: 3_600_000, nowMs: Date.now(), ...over });
  const pool = (opts: Partial<ConstructorParameters<typeof SigningPool>[0]> = {}): SigningPool => {
    const p = new SigningPool({ log: logger('test-signing'), ...opts });
    opened.push(p);
    return p;
  };

  beforeAll(async () => {
    [ca, other] = await Promise.all([generateRootCa('demo', 2048, 86_400_000), generateRootCa('other', 2048, 86_400_000)]);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('signs on worker threads: certificates verify against the mesh CA and carry the SANs', async () => {
    const signer = pool({ size: 2 });
    const certs = await Promise.all(Array.from({ length: 12 }, () => signer.sign(request())));
    const caKey = new X509Certificate(ca.certPem).publicKey;
    for (const c of certs) {
      expect(c.threadId).not.toBe(threadId);
      const x = new X509Certificate(c.certPem);
      expect(x.verify(caKey)).toBe(true);
      expect(x.subjectAltName).toBe(URIS.map((u) => `URI:${u}`).join(', '));
      expect(x.checkPrivateKey(createPrivateKey(c.keyPem))).toBe(true);
    }
    expect(new Set(certs.map((c) => c.certPem)).size).toBe(12);
    expect(signer.workers).toBe(2);
  });

  it('the runtime signs with worker threads by default, so no proxy is signed for on the event loop', async () => {
    const rt = buildRuntime(configSchema.parse({}), new MemoryStore());
    opened.push(rt.certificateSigner);
    const cert = await rt.certificateSigner.sign(request());
    expect(cert.threadId).not.toBe(threadId);
  });

  it('keeps the event loop responsive while 50 certificates are issued at once, unlike signing on it', async () => {
    // Same run, same machine: the event loop's worst delay while each signer issues 50 certificates at once.
    const inThread = new InThreadSigner();
    const workers = pool({ size: 1 });
    await Promise.all([inThread.sign(request()), workers.sign(request())]); // CA imported, worker started
    const worstDelayMs = async (signer: CertificateSigner): Promise<number> => {
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      await Promise.all(Array.from({ length: 50 }, () => signer.sign(request())));
      h.disable();
      return h.max / 1e6;
    };
    const onLoop = await worstDelayMs(inThread);
    const offLoop = await worstDelayMs(workers);
    expect(offLoop * 4).toBeLessThan(onLoop);
  });

  it('a CA whose key does not match is a CertificateError from the worker', async () => {
    await expect(pool().sign(request({ caKeyPem: other.keyPem }))).rejects.toThrow(CertificateError);
    await expect(pool().sign(request({ caKeyPem: other.keyPem }))).rejects.toThrow(/does not match/);
  });

  it('refuses beyond its bounded queue, and refuses everything once closed', async () => {
    const signer = pool({ size: 1, perWorker: 1, maxQueued: 2 });
    const running = signer.sign(request());
    const queued = [signer.sign(request()), signer.sign(request())];
    await expect(signer.sign(request())).rejects.toBeInstanceOf(SigningQueueFullError);
    await running;
    await Promise.all(queued);
    const inFlight = expect(signer.sign(request())).rejects.toBeInstanceOf(ShuttingDownError);
    const waiting = expect(signer.sign(request())).rejects.toBeInstanceOf(ShuttingDownError);
    await signer.close();
    await inFlight;
    await waiting;
    await expect(signer.sign(request())).rejects.toBeInstanceOf(ShuttingDownError);
    expect(signer.workers).toBe(0);
  });

  it('a worker that cannot start fails its requests with SigningWorkerError instead of restarting in a loop', async () => {
    const signer = pool({ size: 1, perWorker: 1, workerUrl: new URL('data:text/javascript,process.exit(3)') });
    const all = [signer.sign(request()), signer.sign(request()), signer.sign(request())];
    for (const p of all) await expect(p).rejects.toBeInstanceOf(SigningWorkerError);
    expect(signer.workers).toBe(0);
  });
});
