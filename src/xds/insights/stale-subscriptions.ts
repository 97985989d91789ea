import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { DataplaneInsightSpec, DiscoverySubscription } from '../../core/resources/specs.js';
import type { StoreView } from '../../core/view/store-view.js';
import { updateInsight } from './insight-writer.js';

/**
 * Subscriptions left open by a control-plane instance that is no longer alive (a previous run of this one, or a
 * crashed peer on the same database) are closed with the current time, so their data planes show offline until
 * they reconnect. `alive` comes from the instance registry (core/runtime/instance-registry.ts). Returns how many
 * DataplaneInsights were changed.
 */
export async function closeStaleSubscriptions(view: StoreView, manager: ResourceManager, alive: ReadonlySet<string>, log: Logger): Promise<number> {
  const stale = (s: DiscoverySubscription): boolean => !s.disconnectTime && !alive.has(s.controlPlaneInstanceId);
  const now = new Date().toISOString();
  let closed = 0;
  for (const insight of view.list('DataplaneInsight')) {
    const subs = (insight.spec as unknown as DataplaneInsightSpec).subscriptions ?? [];
    if (!subs.some(stale)) continue;
    try {
      await updateInsight(
        manager,
        { name: insight.meta.name, mesh: insight.meta.mesh },
        (current) => (current.some(stale) ? current.map((s) => (stale(s) ? { ...s, disconnectTime: now } : s)) : undefined),
        log,
      );
      closed++;
    } catch (err) {
      log.warn({ mesh: insight.meta.mesh, dataplane: insight.meta.name, err: errorMessage(err) }, 'closing a stale subscription failed');
    }
  }
  if (closed > 0) log.info({ dataplanes: closed }, 'marked data planes of control-plane instances that are gone as disconnected');
  return closed;
}
