import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import { describeKey, keyOf, type ResourceKey } from '../resources/model.js';
import type { StoreView } from '../view/store-view.js';
import type { LiveSubscription, StoredSubscription } from './live-subscription.js';
import { mergeSubscription, storedSubscriptions, writeSubscriptions, type InsightTarget, type InsightTypeName } from './subscription-writer.js';

/** What differs between DataplaneInsight (xDS streams) and ZoneInsight (KDS streams); the rest is the tracker's. */
export interface InsightKind<S extends StoredSubscription> {
  /** The insight (and its owner) holding the subscriptions of `key`. */
  target(key: ResourceKey): InsightTarget;
  /** Every insight type of this kind, for the stale sweep. */
  readonly types: readonly InsightTypeName[];
  /** The control-plane instance that holds the stream of a subscription (the stale rule's input). */
  instanceOf(sub: S): string;
  /** One stream per owner (a zone): a new connection closes the subscriptions still open. */
  readonly closeOpenOnConnect: boolean;
}

/** Open, and held by an instance that is not alive (a previous run of this one, a crashed peer on the database). */
function isStale<S extends StoredSubscription>(kind: InsightKind<S>, alive: ReadonlySet<string>): (s: S) => boolean {
  return (s) => !s.disconnectTime && !alive.has(kind.instanceOf(s));
}

/**
 * Closes (with the current time) the subscriptions left open by control-plane instances that are no longer alive,
 * so their data planes or zones show offline until they reconnect; `alive` comes from the instance registry
 * (core/runtime/instance-registry.ts). Reads the insights from the store view. Returns how many insights changed.
 */
export async function closeStaleSubscriptions<S extends StoredSubscription>(
  kind: InsightKind<S>,
  view: StoreView,
  manager: ResourceManager,
  alive: ReadonlySet<string>,
  log: Logger,
): Promise<number> {
  const stale = isStale(kind, alive);
  const now = new Date().toISOString();
  let closed = 0;
  for (const type of kind.types) {
    for (const insight of view.list(type)) {
      if (!storedSubscriptions<S>(insight.spec).some(stale)) continue;
      const key = keyOf(insight);
      try {
        await writeSubscriptions<S>(manager, kind.target(key), key, (current) => (current.some(stale) ? current.map((s) => (stale(s) ? { ...s, disconnectTime: now } : s)) : undefined), log);
        closed++;
        log.debug({ resource: describeKey(type, key) }, 'closed a subscription of a control-plane instance that is gone');
      } catch (err) {
        log.warn({ resource: describeKey(type, key), err: errorMessage(err) }, 'closing a stale subscription failed');
      }
    }
  }
  if (closed > 0) log.info({ types: kind.types, insights: closed }, 'marked subscriptions held by control-plane instances that are gone as disconnected');
  return closed;
}

/**
 * Keeps the insights of one kind current for the streams of this instance: each subscription is written at
 * connect and disconnect, and on every flush while its counters changed. Writes to one insight never overlap;
 * a failed write is logged and retried at the next flush.
 */
export class InsightTracker<S extends StoredSubscription> {
  private readonly live = new Map<LiveSubscription<S>, ResourceKey>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly kind: InsightKind<S>,
    private readonly manager: ResourceManager,
    private readonly log: Logger,
  ) {}

  /** A stream of `key` opened: its subscription is written now. */
  connect(key: ResourceKey, sub: LiveSubscription<S>): Promise<void> {
    this.live.set(sub, key);
    return this.write(key, sub, this.kind.closeOpenOnConnect);
  }

  /** The stream closed: its subscription gets its disconnect time and final counters. */
  disconnect(sub: LiveSubscription<S>): Promise<void> {
    const key = this.live.get(sub);
    if (!key) return Promise.resolve();
    this.live.delete(sub);
    sub.disconnect();
    return this.write(key, sub, false);
  }

  /** Writes every live subscription whose counters changed since it was last written. */
  async flush(): Promise<void> {
    await Promise.all([...this.live].filter(([sub]) => sub.dirty).map(([sub, key]) => this.write(key, sub, false)));
  }

  /** Flushes every `intervalMs` until `signal` aborts. */
  async run(signal: AbortSignal, intervalMs: number): Promise<void> {
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
      if (!signal.aborted) await this.flush();
    }
  }

  /** The stale rule for this kind (see closeStaleSubscriptions). */
  closeStale(view: StoreView, alive: ReadonlySet<string>): Promise<number> {
    return closeStaleSubscriptions(this.kind, view, this.manager, alive, this.log);
  }

  private write(key: ResourceKey, sub: LiveSubscription<S>, closeOpen: boolean): Promise<void> {
    const target = this.kind.target(key);
    const chainKey = `${target.type}/${key.mesh}/${key.name}`;
    const run = (this.chains.get(chainKey) ?? Promise.resolve()).then(() => this.writeNow(target, key, sub, closeOpen));
    this.chains.set(chainKey, run);
    void run.then(() => {
      if (this.chains.get(chainKey) === run) this.chains.delete(chainKey);
    });
    return run;
  }

  private async writeNow(target: InsightTarget, key: ResourceKey, sub: LiveSubscription<S>, closeOpen: boolean): Promise<void> {
    if (!sub.dirty) return;
    sub.dirty = false;
    const snapshot = sub.toSubscription();
    const now = new Date().toISOString();
    const closeOthers = (subs: readonly S[]): readonly S[] => (closeOpen ? subs.map((s) => (s.disconnectTime || s.id === snapshot.id ? s : { ...s, disconnectTime: now })) : subs);
    try {
      await writeSubscriptions<S>(this.manager, target, key, (subs) => mergeSubscription(closeOthers(subs), snapshot), this.log);
    } catch (err) {
      sub.dirty = true;
      this.log.warn({ resource: describeKey(target.type, key), err: errorMessage(err) }, 'writing an insight failed');
    }
  }
}
