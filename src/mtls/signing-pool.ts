import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { errorMessage, ShuttingDownError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import type { CertificateSigner, SignedCertificate, SignRequest } from './certificate-signer.js';
import type { SignJob, SignOutcome } from './signing-protocol.js';
import { CertificateError } from './x509.js';

/** More signing requests are waiting than the pool accepts (503 / retry later). */
export class SigningQueueFullError extends Error {
  constructor(readonly limit: number) {
    super(`the certificate signing queue is full (${limit} requests waiting); retry later`);
    this.name = 'SigningQueueFullError';
  }
}

/** A signing worker stopped unexpectedly (or could not start) while it held the request. */
export class SigningWorkerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningWorkerError';
  }
}

export interface SigningPoolOptions {
  readonly log: Logger;
  /** Worker threads; default: the cores but one (the main thread's), between 1 and 4. */
  readonly size?: number;
  /** Requests waiting for a worker beyond which new ones are refused (SigningQueueFullError). */
  readonly maxQueued?: number;
  /** Requests each worker runs at once (its key generation and signature overlap on the libuv pool). */
  readonly perWorker?: number;
  /** The worker's entry point; default: the compiled signing-worker.js. */
  readonly workerUrl?: URL;
}

interface Pending {
  readonly request: SignRequest;
  readonly resolve: (cert: SignedCertificate) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly inFlight: Map<number, Pending>;
  /** Answered at least once: a worker that dies before its first answer does not get replaced in a loop. */
  answered: boolean;
}

export const DEFAULT_MAX_QUEUED = 10_000;
const DEFAULT_PER_WORKER = 8;

/** Cores but the main thread's, between 1 and 4. */
export function defaultPoolSize(cores = availableParallelism()): number {
  return Math.max(1, Math.min(4, cores - 1));
}

/**
 * The compiled worker next to this file; when this module runs from its TypeScript source (vitest), the
 * worker is the one `npm run build` compiled into dist/ (worker threads do not load TypeScript).
 */
function defaultWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL('../../dist/src/mtls/signing-worker.js', here) : new URL('./signing-worker.js', here);
}

/**
 * Workload certificates signed on worker threads, so the control plane's event loop keeps serving other
 * proxies, DNS and the API while thousands of certificates are issued. Workers start on the first request
 * (a control plane without mTLS never starts one) and do not keep the process alive; requests beyond the
 * workers' capacity wait in a bounded FIFO queue. Owned by the runtime, closed when it stops.
 */
export class SigningPool implements CertificateSigner {
  private readonly size: number;
  private readonly maxQueued: number;
  private readonly perWorker: number;
  private readonly workerUrl: URL;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: SigningPoolOptions) {
    this.size = Math.max(1, options.size ?? defaultPoolSize());
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.perWorker = Math.max(1, options.perWorker ?? DEFAULT_PER_WORKER);
    this.workerUrl = options.workerUrl ?? defaultWorkerUrl();
  }

  sign(request: SignRequest): Promise<SignedCertificate> {
    if (this.closed) return Promise.reject(new ShuttingDownError('the certificate signing pool is stopped'));
    if (this.queue.length >= this.maxQueued) return Promise.reject(new SigningQueueFullError(this.maxQueued));
    return new Promise<SignedCertificate>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  /** Refuses what waits, ends the workers (their requests are refused too); resolves once they have exited. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ShuttingDownError('the certificate signing pool is stopped'));
    const slots = this.slots.splice(0);
    for (const s of slots) for (const p of s.inFlight.values()) p.reject(new ShuttingDownError('the certificate signing pool is stopped'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
    if (slots.length > 0) this.options.log.info({ workers: slots.length }, 'certificate signing workers stopped');
  }

  /** Workers started (for metrics and tests). */
  get workers(): number {
    return this.slots.length;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      const pending = slot && this.queue.shift();
      if (!slot || !pending) return;
      const id = this.nextId++;
      slot.inFlight.set(id, pending);
      slot.worker.postMessage({ id, request: pending.request } satisfies SignJob);
    }
  }

  /** The least busy worker with room, starting one while below the pool size. */
  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) if (s.inFlight.size < this.perWorker && (!best || s.inFlight.size < best.inFlight.size)) best = s;
    if (best && best.inFlight.size === 0) return best;
    if (this.slots.length < this.size) return this.start();
    return best;
  }

  private start(): Slot {
    const worker = new Worker(this.workerUrl, { name: 'kuma-cp certificate signing' });
    worker.unref();
    const slot: Slot = { worker, inFlight: new Map(), answered: false };
    this.slots.push(slot);
    worker.on('message', (outcome: SignOutcome) => this.settle(slot, outcome));
    worker.on('error', (err) => this.options.log.error({ err: errorMessage(err) }, 'certificate signing worker failed'));
    worker.on('exit', (code) => this.exited(slot, code));
    this.options.log.debug({ workers: this.slots.length }, 'certificate signing worker started');
    return slot;
  }

  private settle(slot: Slot, outcome: SignOutcome): void {
    slot.answered = true;
    const pending = slot.inFlight.get(outcome.id);
    if (!pending) return;
    slot.inFlight.delete(outcome.id);
    if (outcome.ok) pending.resolve(outcome.cert);
    else pending.reject(outcome.kind === 'certificate' ? new CertificateError(outcome.message) : new SigningWorkerError(`signing failed: ${outcome.message}`));
    this.dispatch();
  }

  /** An exit not asked for by close(): its requests fail; the next request starts a new worker. */
  private exited(slot: Slot, code: number): void {
    const at = this.slots.indexOf(slot);
    if (at < 0) return;
    this.slots.splice(at, 1);
    const err = new SigningWorkerError(`the certificate signing worker exited with code ${code}`);
    this.options.log.error({ code, requests: slot.inFlight.size }, 'certificate signing worker exited; its requests fail');
    for (const p of slot.inFlight.values()) p.reject(err);
    slot.inFlight.clear();
    // A worker that never answered could not start: fail what waits instead of starting workers in a loop.
    if (!slot.answered) for (const p of this.queue.splice(0)) p.reject(err);
    this.dispatch();
  }
}
