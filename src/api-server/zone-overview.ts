import type { ResourceOf } from '../core/resources/typed-resource.js';
import { subscriptionsOnline } from '../core/resources/subscriptions.js';

/** Kuma treats a Zone without `enabled` as enabled. */
export function zoneEnabled(zone: ResourceOf<'Zone'>): boolean {
  return zone.spec.enabled !== false;
}

/** Connected now: the latest KDS subscription has a connectTime and no disconnectTime. */
export function zoneOnline(insight: ResourceOf<'ZoneInsight'> | undefined): boolean {
  return subscriptionsOnline(insight?.spec.subscriptions);
}

/** Kuma's ZoneOverview: `zone` is the Zone spec with `enabled` made explicit; `zoneInsight` is `{}` when there is none. */
export function zoneOverview(zone: ResourceOf<'Zone'>, insight: ResourceOf<'ZoneInsight'> | undefined): Record<string, unknown> {
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
export function zoneStatus(zone: ResourceOf<'Zone'>, insight: ResourceOf<'ZoneInsight'> | undefined): { name: string; active: boolean } {
  return { name: zone.meta.name, active: zoneEnabled(zone) && zoneOnline(insight) };
}
