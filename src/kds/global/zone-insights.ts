import type { InsightKind } from '../../core/insights/insight-tracker.js';
import { LiveSubscription, type StatKind } from '../../core/insights/live-subscription.js';
import type { ResourceTypeName } from '../../core/resources/model.js';
import type { KdsSubscription } from '../../core/resources/specs.js';

/**
 * ZoneInsights for the shared tracker (core/insights): one per Zone, owned by it; subscriptions are held by
 * `globalInstanceId`. A zone has one KDS stream at a time, so a new stream closes the subscriptions left open.
 */
export const zoneInsightKind: Readonly<InsightKind<KdsSubscription>> = {
  target: () => ({ type: 'ZoneInsight', owner: 'Zone' }),
  types: ['ZoneInsight'],
  instanceOf: (sub) => sub.globalInstanceId,
  closeOpenOnConnect: true,
};

/** One zone's KDS stream on this global instance: per-type message counters in `status.stat`. */
export class ZoneSubscription extends LiveSubscription<KdsSubscription> {
  constructor(
    private readonly globalInstanceId: string,
    private readonly kumaCpVersion: string,
  ) {
    super();
    this.lastUpdateTime = this.connectTime;
  }

  stat(type: ResourceTypeName, kind: StatKind): void {
    this.count(kind, type);
  }

  toSubscription(): KdsSubscription {
    const stat: KdsSubscription['status']['stat'] = {};
    for (const type of this.countedKeys()) stat[type] = this.countedUnder(type);
    const sub: KdsSubscription = {
      id: this.id,
      globalInstanceId: this.globalInstanceId,
      connectTime: this.connectTime,
      status: { ...(this.lastUpdateTime ? { lastUpdateTime: this.lastUpdateTime } : {}), total: { ...this.total }, stat },
    };
    if (this.disconnectTime) sub.disconnectTime = this.disconnectTime;
    if (this.kumaCpVersion) sub.version = { kumaCp: { version: this.kumaCpVersion } };
    return sub;
  }
}
