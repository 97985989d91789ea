import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { Component } from './component.js';
import { BindError } from './listen.js';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = { baseMs: 500, maxMs: 30_000 };

/** Exponential back-off with full jitter in [delay/2, delay]. */
export function backoffDelay(policy: BackoffPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class StartupError extends Error {
  constructor(
    readonly component: string,
    cause: unknown,
  ) {
    // A BindError already names its server: `port 5681 on 0.0.0.0 is already in use (api-server)`.
    super(cause instanceof BindError ? cause.message : `${component}: ${errorMessage(cause)}`, { cause });
    this.name = 'StartupError';
  }
}

/**
 * Runs one component until `signal` aborts. A failure before the component reported ready is fatal
 * (`onStartupFailure`, e.g. a port in use); a failure after that restarts it with back-off.
 */
export async function supervise(
  component: Component,
  signal: AbortSignal,
  log: Logger,
  hooks: { onReady(): void; onStartupFailure(err: StartupError): void },
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): Promise<void> {
  let everReady = false;
  let attempt = 0;
  while (!signal.aborted) {
    try {
      await component.start(signal, () => {
        attempt = 0;
        if (!everReady) {
          everReady = true;
          hooks.onReady();
        }
      });
      if (signal.aborted) return;
      throw new Error('stopped unexpectedly');
    } catch (err) {
      if (signal.aborted) return;
      if (!everReady) {
        hooks.onStartupFailure(new StartupError(component.name, err));
        return;
      }
      const delay = backoffDelay(policy, attempt++);
      log.error({ failed: component.name, err: errorMessage(err), retryInMs: Math.round(delay) }, 'component failed, restarting');
      await sleep(delay, signal);
    }
  }
}
