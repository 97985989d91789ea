import { AlreadyExistsError, ConflictError, NotFoundError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { ResourceKey } from '../../core/resources/model.js';
import type { DataplaneInsightSpec, DiscoverySubscription } from '../../core/resources/specs.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';

export const MAX_SUBSCRIPTIONS = 10;
const ATTEMPTS = 3;

/** Replaces the subscription with the same id (or appends it) and keeps the newest MAX_SUBSCRIPTIONS. */
export function mergeSubscription(existing: readonly DiscoverySubscription[], sub: DiscoverySubscription): DiscoverySubscription[] {
  const i = existing.findIndex((s) => s.id === sub.id);
  const out = i >= 0 ? existing.map((s, j) => (j === i ? sub : s)) : [...existing, sub];
  return out.slice(-MAX_SUBSCRIPTIONS);
}

/**
 * Read-modify-write of a DataplaneInsight (same mesh/name as its Dataplane, owned by it; a ZoneIngressInsight
 * for a zone ingress) with optimistic
 * concurrency; retried on a concurrent write. A Dataplane that no longer exists is not an error.
 */
export async function updateInsight(
  manager: ResourceManager,
  key: ResourceKey,
  change: (subs: readonly DiscoverySubscription[]) => DiscoverySubscription[] | undefined,
  log: Logger,
): Promise<void> {
  // A zone ingress (global-scoped, mesh '') gets a ZoneIngressInsight owned by its ZoneIngress.
  const [type, ownerType] = key.mesh === '' ? (['ZoneIngressInsight', 'ZoneIngress'] as const) : (['DataplaneInsight', 'Dataplane'] as const);
  for (let attempt = 1; ; attempt++) {
    try {
      const current = await manager.find(type, key);
      const subs = ((current?.spec as unknown as DataplaneInsightSpec | undefined)?.subscriptions ?? []) as DiscoverySubscription[];
      const next = change(subs);
      if (!next) return;
      const spec = { ...(current?.spec ?? {}), subscriptions: next };
      if (current) await manager.update(type, key, spec, { expectedVersion: current.meta.version });
      else await manager.create(type, key, spec, { owner: { type: ownerType, name: key.name, mesh: key.mesh } });
      return;
    } catch (err) {
      if (err instanceof NotFoundError) {
        log.debug({ mesh: key.mesh, dataplane: key.name }, 'dataplane gone: insight not written');
        return;
      }
      const retriable = err instanceof ConflictError || err instanceof AlreadyExistsError;
      if (!retriable || attempt >= ATTEMPTS) throw new Error(`writing DataplaneInsight ${key.mesh}/${key.name}: ${errorMessage(err)}`, { cause: err });
    }
  }
}
