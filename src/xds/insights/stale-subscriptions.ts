import { closeStaleSubscriptions as closeStale } from '../../core/insights/insight-tracker.js';
import type { Logger } from '../../core/logging.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { StoreView } from '../../core/view/store-view.js';
import { dataplaneInsightKind } from './insight-writer.js';

/**
 * The tracker's stale rule for data planes and zone ingresses: subscriptions left open by control-plane instances
 * that are no longer alive are closed. Returns how many insights were changed.
 */
export function closeStaleSubscriptions(view: StoreView, manager: ResourceManager, alive: ReadonlySet<string>, log: Logger): Promise<number> {
  return closeStale(dataplaneInsightKind, view, manager, alive, log);
}
