import { Gauge, type Registry } from 'prom-client';
import { resourceTypes } from '../core/resources/registry.js';
import type { ResourceTypeName } from '../core/resources/model.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { packageVersion } from '../core/version.js';

function createCpMetrics(registry: Registry) {
  return {
    cpInfo: new Gauge({
      name: 'cp_info',
      help: 'Static information about this control-plane instance (value is always 1)',
      labelNames: ['instance_id', 'version', 'mode', 'zone'] as const,
      registers: [registry],
    }),
    resourcesCount: new Gauge({
      name: 'resources_count',
      help: 'Number of stored resources by type',
      labelNames: ['resource_type'] as const,
      registers: [registry],
    }),
  };
}

/**
 * Sets `cp_info` and keeps `resources_count` equal to the store view's counts (exact at start, then per
 * batch of changes on the view's queue), so a scrape never lists the store. Returns the unsubscribe.
 */
export async function trackControlPlaneMetrics(rt: Runtime): Promise<() => void> {
  const { cpInfo, resourcesCount } = rt.metrics.of(createCpMetrics);
  cpInfo.set({ instance_id: rt.instanceId, version: packageVersion(), mode: rt.config.mode, zone: rt.config.multizone.remote.zone }, 1);
  await rt.view.start();
  const update = (type: ResourceTypeName): void => resourcesCount.set({ resource_type: type }, rt.view.count(type));
  for (const t of resourceTypes) update(t.name);
  const sub = rt.view.watch('cp-metrics', (events) => new Set(events.map((e) => e.type)).forEach(update));
  return () => sub.close();
}
