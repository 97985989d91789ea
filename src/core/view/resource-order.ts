import type { Resource } from '../resources/model.js';

/**
 * Is `a` a later state than `b` of the same key? A re-created resource has a later creation time; within
 * one life the version grows by one per write. The one rule by which the store view drops an event it
 * has already applied (or an older one), so that a change is never applied twice or undone.
 */
export function isNewer(a: Resource, b: Resource): boolean {
  if (a.meta.creationTime !== b.meta.creationTime) return a.meta.creationTime > b.meta.creationTime;
  return a.meta.version > b.meta.version;
}

/** The store's list order: by mesh, then name, compared as strings. */
export function byMeshThenName(a: Resource, b: Resource): number {
  return compare(a.meta.mesh, b.meta.mesh) || compare(a.meta.name, b.meta.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
