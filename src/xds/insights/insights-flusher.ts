import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { ProxyIdentity } from '../server/node-identity.js';
import { mergeSubscription, updateInsight } from './insight-writer.js';
import type { SubscriptionStats } from './subscription-stats.js';

/**
 * Keeps DataplaneInsights current: written at connect and disconnect, and every flush interval for
 * streams whose counters changed. Writes for one dataplane never overlap.
 */
export class InsightsFlusher {
  private readonly active = new Map<SubscriptionStats, ProxyIdentity>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly manager: ResourceManager,
    private readonly log: Logger,
  ) {}

  connected(identity: ProxyIdentity, stats: SubscriptionStats): Promise<void> {
    this.active.set(stats, identity);
    return this.flush(identity, stats);
  }

  disconnected(identity: ProxyIdentity, stats: SubscriptionStats): Promise<void> {
    this.active.delete(stats);
    stats.disconnect();
    return this.flush(identity, stats);
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.active].filter(([stats]) => stats.dirty).map(([stats, identity]) => this.flush(identity, stats)));
  }

  /** Flushes every `intervalMs` until `signal` aborts. */
  async run(signal: AbortSignal, intervalMs: number): Promise<void> {
    while (!signal.aborted) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, intervalMs);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
      if (!signal.aborted) await this.flushAll();
    }
  }

  private flush(identity: ProxyIdentity, stats: SubscriptionStats): Promise<void> {
    const prev = this.chains.get(identity.key) ?? Promise.resolve();
    const run = prev.then(() => this.write(identity, stats));
    this.chains.set(identity.key, run);
    void run.then(() => {
      if (this.chains.get(identity.key) === run) this.chains.delete(identity.key);
    });
    return run;
  }

  private async write(identity: ProxyIdentity, stats: SubscriptionStats): Promise<void> {
    if (!stats.dirty) return;
    stats.dirty = false;
    const sub = stats.toSubscription();
    try {
      await updateInsight(this.manager, { name: identity.name, mesh: identity.mesh }, (subs) => mergeSubscription(subs, sub), this.log);
    } catch (err) {
      stats.dirty = true;
      this.log.warn({ mesh: identity.mesh, dataplane: identity.name, err: errorMessage(err) }, 'flushing dataplane insight failed');
    }
  }
}
