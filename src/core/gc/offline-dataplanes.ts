import type { Resource } from '../resources/model.js';
import type { DataplaneInsightSpec } from '../resources/specs.js';
import { subscriptionsOnline } from '../resources/subscriptions.js';

export interface GcPlan {
  /** Dataplanes offline longer than the cleanup age (deleted with their insight). */
  readonly dataplanes: readonly Resource[];
  /** Insights whose Dataplane no longer exists. */
  readonly insights: readonly Resource[];
}

const keyOf = (r: Resource): string => `${r.meta.mesh}\u0000${r.meta.name}`;

/**
 * Kuma's universal data-plane GC: a Dataplane whose latest xDS subscription ended more than `ageMs` ago
 * (and that has not reconnected since) goes; so does an insight left without its Dataplane. A Dataplane
 * that never connected has no insight and is left alone: it may be waiting for its proxy.
 */
export function planGc(dataplanes: readonly Resource[], insights: readonly Resource[], ageMs: number, now: number): GcPlan {
  const insightByKey = new Map(insights.map((i) => [keyOf(i), i]));
  const offline = dataplanes.filter((dp) => {
    const subs = (insightByKey.get(keyOf(dp))?.spec as Partial<DataplaneInsightSpec> | undefined)?.subscriptions;
    const last = subs?.[subs.length - 1]?.disconnectTime;
    return !!last && !subscriptionsOnline(subs) && now - Date.parse(last) > ageMs;
  });
  return { dataplanes: offline, insights: orphanInsights(dataplanes, insights) };
}

/** Insights (of any kind) whose owning resource (same mesh and name) no longer exists. */
export function orphanInsights(owners: readonly Resource[], insights: readonly Resource[]): Resource[] {
  const ownerKeys = new Set(owners.map(keyOf));
  return insights.filter((i) => !ownerKeys.has(keyOf(i)));
}
