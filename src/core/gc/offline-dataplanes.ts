import type { Resource } from '../resources/model.js';
import type { ResourceOf } from '../resources/typed-resource.js';
import { subscriptionsOnline } from '../resources/subscriptions.js';

export interface GcPlan {
  /** Dataplanes offline longer than the cleanup age (deleted with their insight). */
  readonly dataplanes: readonly Resource[];
  /** Insights whose Dataplane no longer exists. */
  readonly insights: readonly Resource[];
  /** Dataplanes older than the cleanup age whose proxy never connected (no subscription): kept, as Kuma keeps them. */
  readonly neverConnected: readonly Resource[];
}

const keyOf = (r: Resource): string => `${r.meta.mesh}\u0000${r.meta.name}`;

/**
 * Kuma's universal data-plane GC (pkg/gc/collector.go), the age counted from what the insight says:
 * - a Dataplane whose latest xDS subscription ended more than `ageMs` ago (not reconnected since) goes, with its insight;
 * - an insight left without its Dataplane goes;
 * - a Dataplane whose proxy never connected (no insight, or one without a subscription) is never deleted,
 *   however old: it is configuration waiting for its proxy (created ahead of kuma-dp, or a proxy that cannot
 *   connect), and only an operator knows which. Those older than the age are reported in `neverConnected`.
 */
export function planGc(dataplanes: readonly ResourceOf<'Dataplane'>[], insights: readonly ResourceOf<'DataplaneInsight'>[], ageMs: number, now: number): GcPlan {
  const insightByKey = new Map(insights.map((i) => [keyOf(i), i]));
  const offline: Resource[] = [];
  const neverConnected: Resource[] = [];
  for (const dp of dataplanes) {
    const subs = insightByKey.get(keyOf(dp))?.spec.subscriptions ?? [];
    if (subs.length === 0) {
      if (now - Date.parse(dp.meta.creationTime) > ageMs) neverConnected.push(dp);
      continue;
    }
    const last = subs[subs.length - 1]?.disconnectTime;
    if (!!last && !subscriptionsOnline(subs) && now - Date.parse(last) > ageMs) offline.push(dp);
  }
  return { dataplanes: offline, insights: orphanInsights(dataplanes, insights), neverConnected };
}

/** Insights (of any kind) whose owning resource (same mesh and name) no longer exists. */
export function orphanInsights(owners: readonly Resource[], insights: readonly Resource[]): Resource[] {
  const ownerKeys = new Set(owners.map(keyOf));
  return insights.filter((i) => !ownerKeys.has(keyOf(i)));
}
