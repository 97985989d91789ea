import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { emptyClusterLoadAssignment } from './empty-cla.js';

/**
 * The resources of one type a subscription sees: everything for wildcard plus the explicitly named ones.
 * A named cluster the snapshot lacks gets an empty ClusterLoadAssignment; other unknown names are omitted
 * (remembered by the subscription and sent once they appear).
 */
export function visibleResources(
  snapshot: ProxySnapshot,
  typeUrl: string,
  wildcard: boolean,
  names: ReadonlySet<string>,
): Map<string, EncodedResource> {
  const all = snapshot.resources(typeUrl);
  const out = new Map<string, EncodedResource>(wildcard ? all : []);
  for (const name of names) {
    if (out.has(name)) continue;
    const r = all.get(name) ?? (typeUrl === TYPE_URLS.clusterLoadAssignment ? emptyClusterLoadAssignment(name) : undefined);
    if (r) out.set(name, r);
  }
  return out;
}

/** Push order: PUSH_ORDER first, then any other type the client asked for, by name. */
export function orderTypes(requested: Iterable<string>, pushOrder: readonly string[]): string[] {
  const known = new Set(pushOrder);
  const extra = [...requested].filter((t) => !known.has(t)).sort();
  return [...pushOrder, ...extra];
}
