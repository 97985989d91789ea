import type { Logger } from '../../core/logging.js';
import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import type { StreamStats } from '../insights/subscription-stats.js';

/** The next thing a stream should do: write a response, or wait (optionally re-check at `retryAt`). */
export type NextStep<Res> = { readonly kind: 'send'; readonly response: Res } | { readonly kind: 'idle'; readonly retryAt?: number };

/** SotW or delta bookkeeping of one stream: requests in, responses out, in push order. */
export interface Protocol<Req, Res> {
  /** Applies a request (ACK/NACK, subscription change). Throws BadRequestError for a malformed one. */
  handle(req: Req): void;
  /** The next response for `snapshot`; commits it as sent. */
  next(snapshot: ProxySnapshot): NextStep<Res>;
}

export interface ProtocolContext {
  readonly proxy: string;
  readonly controlPlaneId: string;
  readonly nackBackoffMs: number;
  readonly stats: StreamStats;
  readonly log: Logger;
  readonly now: () => number;
}

/** Per-stream nonce source: unique within the stream, never reused after a reconnect (random prefix). */
export function nonceSource(): () => string {
  const prefix = Math.random().toString(36).slice(2, 8);
  let n = 0;
  return () => `${prefix}-${++n}`;
}
