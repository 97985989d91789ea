import { BadRequestError } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import type { StreamStats } from '../insights/subscription-stats.js';
import type { EmptyClaMemo } from './empty-cla.js';
import type { NameSets } from './name-sets.js';

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
  /** The dp-server's empty ClusterLoadAssignments for clusters a proxy asks for that its snapshot lacks. */
  readonly emptyCla: EmptyClaMemo;
  /** The dp-server's shared subscription name sets (SotW); absent: each stream keeps its own. */
  readonly nameSets?: NameSets;
}

/** Distinct type URLs one stream may use; beyond this it is a misbehaving client (each type holds state). */
export const MAX_TYPES_PER_STREAM = 32;

/** Throws BadRequestError when a request would add one type too many to a stream's per-type state. */
export function checkTypeLimit(known: ReadonlyMap<string, unknown>, typeUrl: string): void {
  if (!known.has(typeUrl) && known.size >= MAX_TYPES_PER_STREAM) {
    throw new BadRequestError(`too many resource types on one stream (at most ${MAX_TYPES_PER_STREAM}); rejected type_url "${typeUrl.slice(0, 200)}"`);
  }
}

/** Per-stream nonce source: unique within the stream, never reused after a reconnect (random prefix). */
export function nonceSource(): () => string {
  const prefix = Math.random().toString(36).slice(2, 8);
  let n = 0;
  return () => `${prefix}-${++n}`;
}
