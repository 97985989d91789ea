import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { ResourceTypeName } from '../../core/resources/model.js';
import type { StoreView } from '../../core/view/store-view.js';
import type { DiscoveryTypeStats, KdsSubscription, ZoneInsightSpec } from '../../core/resources/specs.js';
import type { StatKind } from '../type-sender.js';

/** Subscriptions kept per ZoneInsight (oldest dropped first). */
export const MAX_SUBSCRIPTIONS = 10;

const zero = (): DiscoveryTypeStats => ({ responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0 });

function bump(s: DiscoveryTypeStats, kind: StatKind): void {
  if (kind === 'sent') s.responsesSent++;
  else if (kind === 'acked') s.responsesAcknowledged++;
  else s.responsesRejected++;
}

interface Live {
  readonly zone: string;
  readonly sub: KdsSubscription;
  dirty: boolean;
}

/**
 * ZoneInsight bookkeeping on the global: one subscription per KDS stream with connect/disconnect times and
 * per-type message counters, written on connect and disconnect at once and flushed periodically in between.
 * Writes to one zone's insight are serialised.
 */
export class ZoneInsights {
  private readonly live = new Map<string, Live>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly manager: ResourceManager,
    private readonly globalInstanceId: string,
    private readonly log: Logger,
  ) {}

  /**
   * Marks subscriptions left open by global instances that are no longer alive (a previous run of this one, a
   * crashed peer on a shared Postgres) as disconnected; a live peer's streams stay open.
   */
  async closeStale(view: StoreView, alive: ReadonlySet<string>): Promise<void> {
    const now = new Date().toISOString();
    const stale = (s: KdsSubscription): boolean => !s.disconnectTime && !alive.has(s.globalInstanceId);
    for (const insight of view.list('ZoneInsight')) {
      const spec = insight.spec as unknown as ZoneInsightSpec;
      if (!spec.subscriptions?.some(stale)) continue;
      const zone = insight.meta.name;
      this.log.info({ zone }, 'closing the zone subscription of a global instance that is gone');
      await this.write(zone, (subs) => subs.map((s) => (stale(s) ? { ...s, disconnectTime: now } : s)));
    }
  }

  async connected(zone: string, kumaCpVersion: string): Promise<string> {
    const now = new Date().toISOString();
    const sub: KdsSubscription = {
      id: randomUUID(),
      globalInstanceId: this.globalInstanceId,
      connectTime: now,
      status: { lastUpdateTime: now, total: zero(), stat: {} },
      ...(kumaCpVersion ? { version: { kumaCp: { version: kumaCpVersion } } } : {}),
    };
    this.live.set(sub.id, { zone, sub, dirty: false });
    await this.write(zone, (subs) => [...subs.map((s) => (s.disconnectTime ? s : { ...s, disconnectTime: now })), sub]);
    return sub.id;
  }

  stat(id: string, type: ResourceTypeName, kind: StatKind): void {
    const l = this.live.get(id);
    if (!l) return;
    bump(l.sub.status.total, kind);
    bump((l.sub.status.stat[type] ??= zero()), kind);
    l.sub.status.lastUpdateTime = new Date().toISOString();
    l.dirty = true;
  }

  async disconnected(id: string): Promise<void> {
    const l = this.live.get(id);
    if (!l) return;
    this.live.delete(id);
    l.sub.disconnectTime = new Date().toISOString();
    await this.write(l.zone, (subs) => subs.map((s) => (s.id === id ? { ...l.sub, status: structuredClone(l.sub.status) } : s)));
  }

  /** Writes the counters of every live subscription that changed since the last flush. */
  async flush(): Promise<void> {
    const dirty = [...this.live.values()].filter((l) => l.dirty);
    for (const l of dirty) {
      l.dirty = false;
      const snapshot: KdsSubscription = { ...l.sub, status: structuredClone(l.sub.status) };
      await this.write(l.zone, (subs) => subs.map((s) => (s.id === snapshot.id ? snapshot : s)));
    }
  }

  private write(zone: string, change: (subs: KdsSubscription[]) => KdsSubscription[]): Promise<void> {
    const prev = this.chains.get(zone) ?? Promise.resolve();
    const next = prev.then(async () => {
      try {
        const key = { name: zone, mesh: '' };
        const current = await this.manager.find('ZoneInsight', key);
        const subs = change(((current?.spec as unknown as ZoneInsightSpec | undefined)?.subscriptions ?? []).slice()).slice(-MAX_SUBSCRIPTIONS);
        const spec: ZoneInsightSpec = { subscriptions: subs };
        await this.manager.upsert('ZoneInsight', key, spec, { owner: { type: 'Zone', name: zone, mesh: '' } });
      } catch (err) {
        // The Zone may have been deleted meanwhile (its insight goes with it); insights are best effort.
        this.log.warn({ zone, err: errorMessage(err) }, 'could not update zone insight');
      }
    });
    this.chains.set(zone, next);
    return next;
  }
}
