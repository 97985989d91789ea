import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { SERVICE_TAG, type AvailableService } from '../../core/resources/specs.js';

/**
 * Kuma's ingress availableServices: over the Dataplanes of every mesh (ingresses skipped), the healthy
 * inbounds grouped by (mesh, full tag set), `instances` = how many; sorted by mesh, then tags.
 */
export function computeAvailableServices(dataplanes: readonly ResourceOf<'Dataplane'>[]): AvailableService[] {
  const groups = new Map<string, AvailableService & { instances: number }>();
  for (const dp of dataplanes) {
    const net = dp.spec.networking;
    if (net.ingress) continue;
    for (const inbound of net.inbound ?? []) {
      if (!inbound.tags[SERVICE_TAG] || inbound.health?.ready === false) continue;
      const tags = Object.fromEntries(Object.entries(inbound.tags).sort(([a], [b]) => (a < b ? -1 : 1)));
      const key = JSON.stringify([dp.meta.mesh, tags]);
      const group = groups.get(key);
      if (group) group.instances++;
      else groups.set(key, { tags, instances: 1, mesh: dp.meta.mesh });
    }
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

export function sameAvailableServices(a: readonly AvailableService[] | undefined, b: readonly AvailableService[]): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b);
}
