import type { Resource, ResourceTypeName } from './model.js';
import type { SpecOf } from './schemas/index.js';

/** A resource of type `N`: its spec has the type `N`'s zod schema outputs (`SpecOf<N>`). */
export type ResourceOf<N extends ResourceTypeName> = Resource<SpecOf<N>>;

/**
 * The one place an untyped resource becomes a `ResourceOf<N>`: what a store decodes from its rows (JSON) or
 * holds for `type`. Sound because every spec reaches a store through the ResourceManager, which stores the
 * output of the type's validator (its zod schema, defaults applied), and a store returns a resource only under
 * the type it was stored with.
 */
export function asResourceOf<N extends ResourceTypeName>(_type: N, resource: Resource): ResourceOf<N> {
  return resource as ResourceOf<N>;
}

/** The same for a list of resources of `type`. */
export function asResourcesOf<N extends ResourceTypeName>(_type: N, resources: Resource[]): ResourceOf<N>[] {
  return resources as ResourceOf<N>[];
}

