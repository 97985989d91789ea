import type { Logger } from '../../core/logging.js';
import type { InsightKind } from '../../core/insights/insight-tracker.js';
import { writeSubscriptions } from '../../core/insights/subscription-writer.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { ResourceKey } from '../../core/resources/model.js';
import type { DiscoverySubscription } from '../../core/resources/specs.js';

export { MAX_SUBSCRIPTIONS, mergeSubscription } from '../../core/insights/subscription-writer.js';

/**
 * xDS insights for the shared tracker (core/insights): a DataplaneInsight (same mesh/name as its Dataplane,
 * owned by it), or for a zone ingress (global-scoped, mesh '') a ZoneIngressInsight owned by its ZoneIngress;
 * subscriptions are held by `controlPlaneInstanceId`.
 */
export const dataplaneInsightKind: Readonly<InsightKind<DiscoverySubscription>> = {
  target: (key) => (key.mesh === '' ? { type: 'ZoneIngressInsight', owner: 'ZoneIngress' } : { type: 'DataplaneInsight', owner: 'Dataplane' }),
  types: ['DataplaneInsight', 'ZoneIngressInsight'],
  instanceOf: (sub) => sub.controlPlaneInstanceId,
  closeOpenOnConnect: false,
};

/** Read-modify-write of the subscriptions of a data plane's (or zone ingress's) insight; see writeSubscriptions. */
export function updateInsight(
  manager: ResourceManager,
  key: ResourceKey,
  change: (subs: readonly DiscoverySubscription[]) => DiscoverySubscription[] | undefined,
  log: Logger,
): Promise<void> {
  return writeSubscriptions(manager, dataplaneInsightKind.target(key), key, change, log);
}
