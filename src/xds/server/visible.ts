import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { EmptyClaMemo } from './empty-cla.js';

export interface Visible {
  /** By name. */
  readonly resources: Map<string, EncodedResource>;
  /** Exactly the snapshot's resources of the type: the snapshot's precomputed type version applies. */
  readonly complete: boolean;
}

/**
 * The resources of one type a subscription sees: everything for wildcard plus the explicitly named ones.
 * A named cluster the snapshot lacks gets an empty ClusterLoadAssignment; other unknown names are omitted
 * (remembered by the subscription and sent once they appear).
 */
export function visibleResources(snapshot: ProxySnapshot, typeUrl: string, wildcard: boolean, names: ReadonlySet<string>, emptyCla: EmptyClaMemo): Visible {
  const out = new Map<string, EncodedResource>();
  if (wildcard) snapshot.forEach(typeUrl, (r) => out.set(r.name, r));
  let extra = false;
  for (const name of names) {
    if (out.has(name)) continue;
    const r = snapshot.get(typeUrl, name);
    if (r) out.set(name, r);
    else if (typeUrl === TYPE_URLS.clusterLoadAssignment) {
      out.set(name, emptyCla.get(name));
      extra = true;
    }
  }
  return { resources: out, complete: !extra && out.size === snapshot.count(typeUrl) };
}

/** What a client that was sent `snapshot` for a subscription holds under `name` (an empty CLA for an unknown cluster). */
export function sentResource(snapshot: ProxySnapshot, typeUrl: string, name: string, emptyCla: EmptyClaMemo): EncodedResource | undefined {
  return snapshot.get(typeUrl, name) ?? (typeUrl === TYPE_URLS.clusterLoadAssignment ? emptyCla.get(name) : undefined);
}

/** Push order: PUSH_ORDER first, then any other type the client asked for, by name. */
export function orderTypes(requested: Iterable<string>, pushOrder: readonly string[]): string[] {
  const known = new Set(pushOrder);
  const extra = [...requested].filter((t) => !known.has(t)).sort();
  return [...pushOrder, ...extra];
}
