import type { Resource, ResourceTypeName } from './model.js';
import type { SpecOf } from './schemas/index.js';

/** A resource of type `N`: its spec has the type `N`'s zod schema outputs (`SpecOf<N>`). */
export type ResourceOf<N extends ResourceTypeName> = Resource<SpecOf<N>>;

/** A resource of type `N` that also says so in `type`. */
export type TypedResource<N extends ResourceTypeName> = ResourceOf<N> & { readonly type: N };

/** A resource of one of the types `N`, whose `type` narrows its spec (`if (r.type === 'Dataplane') r.spec.networking`). */
export type AnyResourceOf<N extends ResourceTypeName> = { [K in N]: TypedResource<K> }[N];

/** A resource of any type, whose `type` narrows its spec. */
export type AnyResource = AnyResourceOf<ResourceTypeName>;

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

