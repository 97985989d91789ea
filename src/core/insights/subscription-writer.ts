import { AlreadyExistsError, ConflictError, NotFoundError, errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import { describeKey, type ResourceKey, type ResourceTypeName, type Spec } from '../resources/model.js';
import type { StoredSubscription } from './live-subscription.js';

/** Subscriptions kept per insight (oldest dropped first), as Kuma. */
export const MAX_SUBSCRIPTIONS = 10;
const ATTEMPTS = 3;

export type InsightTypeName = 'DataplaneInsight' | 'ZoneIngressInsight' | 'ZoneInsight';

/** Which insight a key's subscriptions are stored in, and the resource that owns it. */
export interface InsightTarget {
  readonly type: InsightTypeName;
  readonly owner: ResourceTypeName;
}

/** The subscriptions stored in an insight's spec (the kind's schema guarantees their shape S). */
export function storedSubscriptions<S extends StoredSubscription>(spec: Spec | undefined): readonly S[] {
  return (spec?.['subscriptions'] ?? []) as readonly S[];
}

/** Replaces the subscription with the same id (or appends it) and keeps the newest MAX_SUBSCRIPTIONS. */
export function mergeSubscription<S extends StoredSubscription>(existing: readonly S[], sub: S): S[] {
  const i = existing.findIndex((s) => s.id === sub.id);
  const out = i >= 0 ? existing.map((s, j) => (j === i ? sub : s)) : [...existing, sub];
  return out.slice(-MAX_SUBSCRIPTIONS);
}

/**
 * Read-modify-write of an insight's subscriptions with optimistic concurrency, retried on a concurrent write
 * (another instance on the same database, a stale sweep). `change` returns undefined for "nothing to write".
 * An owner that no longer exists (the Dataplane or Zone was deleted) is not an error: there is nothing to write.
 */
export async function writeSubscriptions<S extends StoredSubscription>(
  manager: ResourceManager,
  target: InsightTarget,
  key: ResourceKey,
  change: (subs: readonly S[]) => S[] | undefined,
  log: Logger,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const current = await manager.find(target.type, key);
      const next = change(storedSubscriptions<S>(current?.spec));
      if (!next) return;
      const spec = { ...(current?.spec ?? {}), subscriptions: next.slice(-MAX_SUBSCRIPTIONS) };
      if (current) await manager.update(target.type, key, spec, { expectedVersion: current.meta.version });
      else await manager.create(target.type, key, spec, { owner: { type: target.owner, name: key.name, mesh: key.mesh } });
      return;
    } catch (err) {
      if (err instanceof NotFoundError) {
        log.debug({ resource: describeKey(target.owner, key) }, 'owner gone: insight not written');
        return;
      }
      const retriable = err instanceof ConflictError || err instanceof AlreadyExistsError;
      if (!retriable || attempt >= ATTEMPTS) throw new Error(`writing ${describeKey(target.type, key)}: ${errorMessage(err)}`, { cause: err });
    }
  }
}
