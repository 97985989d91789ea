import { Gauge } from 'prom-client';
import { metricsRegistry } from '../core/metrics.js';
import { resourceTypes } from '../core/resources/registry.js';
import type { ResourceTypeName } from '../core/resources/model.js';
import type { Runtime } from '../core/runtime/runtime.js';
import type { StoreEvent } from '../core/store/resource-store.js';
import { packageVersion } from '../core/version.js';

const cpInfo = new Gauge({
  name: 'cp_info',
  help: 'Static information about this control-plane instance (value is always 1)',
  labelNames: ['instance_id', 'version', 'mode', 'zone'] as const,
  registers: [metricsRegistry],
});

const resourcesCount = new Gauge({
  name: 'resources_count',
  help: 'Number of stored resources by type',
  labelNames: ['resource_type'] as const,
  registers: [metricsRegistry],
});

/**
 * Sets `cp_info` and keeps `resources_count` current from store events, so a scrape never lists the store.
 * Start-up is exact even with concurrent writes: events that arrive while the types are being listed are
 * replayed against the listed keys, then counting goes on by +1/-1 per committed create/delete.
 * Returns the unsubscribe.
 */
export async function trackControlPlaneMetrics(rt: Runtime): Promise<() => void> {
  cpInfo.set({ instance_id: rt.instanceId, version: packageVersion(), mode: rt.config.mode, zone: rt.config.multizone.remote.zone }, 1);
  const counts = new Map<ResourceTypeName, number>();
  let pending: StoreEvent[] | undefined = [];
  const apply = (e: StoreEvent): void => {
    if (e.op === 'update') return;
    const next = (counts.get(e.type) ?? 0) + (e.op === 'create' ? 1 : -1);
    counts.set(e.type, next);
    resourcesCount.set({ resource_type: e.type }, next);
  };
  const unsubscribe = rt.store.subscribe((events) => (pending ? pending.push(...events) : events.forEach(apply)));
  const present = new Map<ResourceTypeName, Set<string>>();
  for (const t of resourceTypes) {
    present.set(t.name, new Set((await rt.store.list(t.name)).map((r) => `${r.meta.mesh}/${r.meta.name}`)));
  }
  for (const e of pending) {
    const keys = present.get(e.type);
    const key = `${e.resource.meta.mesh}/${e.resource.meta.name}`;
    if (e.op === 'create') keys?.add(key);
    else if (e.op === 'delete') keys?.delete(key);
  }
  pending = undefined;
  for (const [type, keys] of present) {
    counts.set(type, keys.size);
    resourcesCount.set({ resource_type: type }, keys.size);
  }
  return unsubscribe;
}
