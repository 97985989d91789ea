import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { SERVICE_TAG, ZONE_TAG } from '../../core/resources/specs.js';
import { subscriptionsOnline } from '../../core/resources/subscriptions.js';

export type DataplaneKind = 'standard' | 'gateway';

/** What the insight endpoints need to know about one Dataplane joined with its insight. */
export interface DataplaneFacts {
  readonly mesh: string;
  readonly name: string;
  readonly kind: DataplaneKind;
  readonly services: readonly string[];
  /** The zone it runs in: the `kuma.io/zone` label of a synced copy, its tag, or the local zone; '' if none. */
  readonly zone: string;
  readonly online: boolean;
  readonly kumaDpVersion: string | undefined;
}

export function dataplaneFacts(dp: ResourceOf<'Dataplane'>, insight: ResourceOf<'DataplaneInsight'> | undefined, localZone: string): DataplaneFacts {
  const net = dp.spec.networking;
  const tagSets = net?.gateway ? [net.gateway.tags] : (net?.inbound ?? []).map((i) => i.tags);
  const services = [...new Set(tagSets.map((t) => t?.[SERVICE_TAG]).filter((s): s is string => !!s))].sort();
  const taggedZone = tagSets.map((t) => t?.[ZONE_TAG]).find((z) => !!z);
  const spec = insight?.spec;
  const subs = spec?.subscriptions;
  return {
    mesh: dp.meta.mesh,
    name: dp.meta.name,
    kind: net?.gateway ? 'gateway' : 'standard',
    services,
    zone: dp.meta.labels?.[ZONE_TAG] ?? taggedZone ?? localZone,
    online: subscriptionsOnline(subs),
    kumaDpVersion: subs?.[subs.length - 1]?.version?.kumaDp?.['version'],
  };
}

/** Online/offline/total counts. */
export interface Counts {
  online: number;
  offline: number;
  total: number;
}

export const emptyCounts = (): Counts => ({ online: 0, offline: 0, total: 0 });

export function count(into: Counts, online: boolean): void {
  into.total++;
  if (online) into.online++;
  else into.offline++;
}
