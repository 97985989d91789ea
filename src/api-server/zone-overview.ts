import type { Resource } from '../core/resources/model.js';
import { subscriptionsOnline } from '../core/resources/subscriptions.js';
import type { KdsSubscription, ZoneSpec } from '../core/resources/specs.js';

/** Kuma treats a Zone without `enabled` as enabled. */
export function zoneEnabled(zone: Resource): boolean {
  return (zone.spec as ZoneSpec).enabled !== false;
}

/** Connected now: the latest KDS subscription has a connectTime and no disconnectTime. */
export function zoneOnline(insight: Resource | undefined): boolean {
  return subscriptionsOnline(insight?.spec['subscriptions'] as readonly Partial<KdsSubscription>[] | undefined);
}

/** Kuma's ZoneOverview: `zone` is the Zone spec with `enabled` made explicit; `zoneInsight` is `{}` when there is none. */
export function zoneOverview(zone: Resource, insight: Resource | undefined): Record<string, unknown> {
  return {
    type: 'ZoneOverview',
    name: zone.meta.name,
    creationTime: zone.meta.creationTime,
    modificationTime: zone.meta.modificationTime,
    zone: { ...zone.spec, enabled: zoneEnabled(zone) },
    zoneInsight: insight?.spec ?? {},
  };
}

/** One `GET /status/zones` entry. */
export function zoneStatus(zone: Resource, insight: Resource | undefined): { name: string; active: boolean } {
  return { name: zone.meta.name, active: zoneEnabled(zone) && zoneOnline(insight) };
}
