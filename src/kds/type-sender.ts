import type { Logger } from '../core/logging.js';
import type { ResourceTypeName } from '../core/resources/model.js';
import { firstChunk, fitsAlone } from './chunk.js';
import type { AckMsg, SubscribeMsg, UpdateMsg, WireKey, WireVersion } from './kds-proto.js';
import { keyString, type ExportedResource } from './wire-resource.js';
import type { StatKind } from '../core/insights/live-subscription.js';

export type { StatKind };

export interface TypeSenderOptions {
  readonly type: ResourceTypeName;
  /** What the peer should hold now (already filtered for that peer). */
  readonly desired: () => Iterable<ExportedResource>;
  /** Queue an update for writing; must not block. */
  readonly send: (update: UpdateMsg) => void;
  readonly maxMsgBytes: number;
  readonly log: Logger;
  readonly onStat?: (type: ResourceTypeName, kind: StatKind) => void;
  /** Delay before resending after a NACK: doubles per consecutive NACK up to `nackRetryMaxMs`. */
  readonly nackRetryBaseMs?: number;
  readonly nackRetryMaxMs?: number;
}

interface InFlight {
  readonly nonce: string;
  readonly resources: readonly ExportedResource[];
  readonly removed: readonly WireKey[];
}

/**
 * One resource type of one peer, sending side: tracks what the peer holds (from its Subscribe, then from
 * each ACK), sends only differences, one update in flight at a time, split below the message size limit.
 */
export class TypeSender {
  private known = new Map<string, WireVersion>();
  private initial: WireVersion[] = [];
  private subscribed = false;
  private inFlight: InFlight | undefined;
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private consecutiveNacks = 0;
  /** key -> version already reported as too large (reported once per version). */
  private readonly tooLarge = new Map<string, string>();
  private seq = 0;
  private closed = false;

  constructor(private readonly o: TypeSenderOptions) {}

  get type(): ResourceTypeName {
    return this.o.type;
  }

  /** The peer (re)states what it holds; a new subscription replaces the previous one. */
  subscribe(msg: SubscribeMsg): void {
    this.initial.push(...msg.initial);
    if (msg.more) return;
    this.known = new Map(this.initial.map((v) => [keyString(v), v]));
    this.initial = [];
    this.subscribed = true;
    this.inFlight = undefined;
    this.clearRetry();
    this.o.log.debug({ type: this.o.type, held: this.known.size }, 'peer subscribed');
    this.schedule();
  }

  ack(msg: AckMsg): void {
    const f = this.inFlight;
    if (!f || msg.nonce !== f.nonce) {
      this.o.log.debug({ type: this.o.type, nonce: msg.nonce }, 'ignoring ACK for a stale nonce');
      return;
    }
    this.inFlight = undefined;
    if (msg.error) {
      this.o.onStat?.(this.o.type, 'rejected');
      this.consecutiveNacks++;
      const delay = Math.min(this.o.nackRetryMaxMs ?? 10_000, (this.o.nackRetryBaseMs ?? 500) * 2 ** (this.consecutiveNacks - 1));
      this.o.log.info({ type: this.o.type, error: msg.error.message, retryInMs: delay }, 'peer rejected update (NACK)');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.flush();
      }, delay);
      return;
    }
    this.o.onStat?.(this.o.type, 'acked');
    this.consecutiveNacks = 0;
    for (const k of f.removed) this.known.delete(keyString(k));
    for (const r of f.resources) this.known.set(r.key, { name: r.wire.meta.name, mesh: r.wire.meta.mesh, version: r.version });
    this.schedule();
  }

  /** Local state changed: send the difference soon (coalesces bursts of store events). */
  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  close(): void {
    this.closed = true;
    this.clearRetry();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private flush(): void {
    if (this.closed || !this.subscribed || this.inFlight || this.retryTimer) return;
    const upserts: ExportedResource[] = [];
    const seen = new Set<string>();
    for (const r of this.o.desired()) {
      seen.add(r.key);
      if (this.known.get(r.key)?.version === r.version) continue;
      if (!fitsAlone(r, this.o.maxMsgBytes)) {
        this.reportTooLarge(r);
        continue;
      }
      upserts.push(r);
    }
    const removals: WireKey[] = [];
    for (const [k, v] of this.known) if (!seen.has(k)) removals.push({ name: v.name, mesh: v.mesh });
    if (upserts.length === 0 && removals.length === 0) return;
    const chunk = firstChunk(upserts, removals, this.o.maxMsgBytes);
    const nonce = String(++this.seq);
    this.inFlight = { nonce, resources: chunk.resources, removed: chunk.removed };
    this.o.log.debug(
      { type: this.o.type, nonce, resources: chunk.resources.length, removed: chunk.removed.length, pending: upserts.length + removals.length },
      'sending update',
    );
    this.o.onStat?.(this.o.type, 'sent');
    this.o.send({ type: this.o.type, nonce, resources: chunk.resources.map((r) => r.wire), removed: chunk.removed });
  }

  private reportTooLarge(r: ExportedResource): void {
    if (this.tooLarge.get(r.key) === r.version) return;
    this.tooLarge.set(r.key, r.version);
    this.o.log.error(
      { type: this.o.type, mesh: r.resource.meta.mesh, name: r.resource.meta.name, bytes: r.size, maxMsgSize: this.o.maxMsgBytes },
      `${this.o.type} ${r.resource.meta.mesh ? r.resource.meta.mesh + '/' : ''}${r.resource.meta.name} is larger than the KDS message size limit and cannot be synced`,
    );
  }
}
