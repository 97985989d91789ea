import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { DataplaneInsightSpec, DiscoverySubscription } from '../../core/resources/specs.js';
import type { StoreView } from '../../core/view/store-view.js';
import { updateInsight } from './insight-writer.js';

/** Instance ids are `<hostname>-<pid>-<random>`: the host part identifies earlier runs on this machine. */
export function instanceHost(instanceId: string): string {
  const parts = instanceId.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : instanceId;
}

/**
 * At start: subscriptions left open by an earlier run of this control plane (same host, another process:
 * it crashed or was killed) are closed with the current time, so their data planes show offline until
 * they reconnect. Returns how many were closed.
 */
export async function closeStaleSubscriptions(view: StoreView, manager: ResourceManager, instanceId: string, log: Logger): Promise<number> {
  const host = instanceHost(instanceId);
  const stale = (s: DiscoverySubscription): boolean => !s.disconnectTime && s.controlPlaneInstanceId !== instanceId && instanceHost(s.controlPlaneInstanceId) === host;
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
  if (closed > 0) log.info({ dataplanes: closed }, 'marked data planes of a previous control-plane run as disconnected');
  return closed;
}
