import { count, emptyCounts, type Counts, type DataplaneFacts } from './dataplane-facts.js';

export type ServiceStatus = 'online' | 'offline' | 'partially_degraded';

/** One entry of `/meshes/{mesh}/service-insights` (Kuma's ServiceInsight per service). */
export interface ServiceInsight {
  readonly type: 'ServiceInsight';
  readonly mesh: string;
  readonly name: string;
  readonly serviceType: 'internal' | 'external';
  readonly status: ServiceStatus;
  readonly dataplanes: Counts;
  readonly zones: readonly string[];
  readonly addressPort?: string;
}

/** Kuma's rule: every instance online = online, none = offline, else partially degraded. */
export function serviceStatus(c: Counts): ServiceStatus {
  if (c.total > 0 && c.online === c.total) return 'online';
  if (c.online === 0) return 'offline';
  return 'partially_degraded';
}

/**
 * Services of one mesh from its data planes (every inbound's `kuma.io/service`) and its ExternalServices
 * (name -> address), sorted by name.
 */
export function serviceInsights(mesh: string, dataplanes: readonly DataplaneFacts[], external: ReadonlyMap<string, string>): ServiceInsight[] {
  const byService = new Map<string, { counts: Counts; zones: Set<string> }>();
  for (const dp of dataplanes) {
    if (dp.mesh !== mesh) continue;
    for (const service of dp.services) {
      let entry = byService.get(service);
      if (!entry) byService.set(service, (entry = { counts: emptyCounts(), zones: new Set() }));
      count(entry.counts, dp.online);
      if (dp.zone) entry.zones.add(dp.zone);
    }
  }
  const out: ServiceInsight[] = [...byService].map(([name, { counts, zones }]) => ({
    type: 'ServiceInsight',
    mesh,
    name,
    serviceType: 'internal',
    status: serviceStatus(counts),
    dataplanes: counts,
    zones: [...zones].sort(),
  }));
  for (const [name, addressPort] of external) {
    if (byService.has(name)) continue;
    out.push({ type: 'ServiceInsight', mesh, name, serviceType: 'external', status: 'online', dataplanes: emptyCounts(), zones: [], addressPort });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
