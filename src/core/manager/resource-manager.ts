import type { ResourceKey, ResourceTypeName, Spec } from '../resources/model.js';
import type { TypeRef } from '../resources/registry.js';
import type { ResourceOf } from '../resources/typed-resource.js';
import type { BatchWrite, CreateOptions, ListOptions, UpdateOptions } from '../store/resource-store.js';

/** A user write proposed to `admit`: `spec` undefined is a delete; `expectedVersion` as in UpdateOptions. */
export interface ProposedWrite {
  readonly spec?: unknown;
  readonly expectedVersion?: number;
}

/**
 * Validated writes over a ResourceStore. Everything that writes (REST API, KDS sink, xDS inline
 * registration, DNS allocator, insights) goes through it. It validates specs (ValidationError with every
 * violation), requires the mesh of a mesh-scoped resource to exist (MeshNotFoundError), creates the
 * per-mesh default policies with a new Mesh in the same transaction, and refuses to delete a Mesh that
 * still has Dataplanes. Reads and writes are typed by the type name: `get('Dataplane', key)` is a
 * `ResourceOf<'Dataplane'>`, whose spec type is inferred from the Dataplane schema; the reads also take the
 * type's descriptor (`get(typeDescriptor('Dataplane'), key)`). Mode read-only rules are the API's business (api-server/read-only.ts), not this.
 */
export interface ResourceManager {
  get<N extends ResourceTypeName>(type: TypeRef<N>, key: ResourceKey): Promise<ResourceOf<N>>;
  find<N extends ResourceTypeName>(type: TypeRef<N>, key: ResourceKey): Promise<ResourceOf<N> | undefined>;
  list<N extends ResourceTypeName>(type: TypeRef<N>, options?: ListOptions): Promise<ResourceOf<N>[]>;
  create<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: unknown, options?: CreateOptions): Promise<ResourceOf<N>>;
  update<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: unknown, options?: UpdateOptions): Promise<ResourceOf<N>>;
  /** Create if missing, else update (unconditionally). */
  upsert<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: unknown, options?: CreateOptions & UpdateOptions): Promise<{ resource: ResourceOf<N>; created: boolean }>;
  delete(type: ResourceTypeName, key: ResourceKey): Promise<void>;
  /**
   * Runs every check the write would run, through the same code and in the same order, without writing
   * (what `?dryRun=true` answers with): a create or an update (whichever the stored state makes it) of
   * `write.spec`, or a delete when `spec` is undefined. Returns the normalised spec (undefined for a delete).
   */
  admit(type: ResourceTypeName, key: ResourceKey, write: ProposedWrite): Promise<Spec | undefined>;
  /**
   * Validates and normalises a spec without writing. `synced`: the resource comes from another CP over KDS
   * (its name may carry a `<zone>.` prefix); writes detect this from the `kuma.io/origin` label.
   */
  validate(type: ResourceTypeName, key: ResourceKey, spec: unknown, options?: { synced?: boolean }): Spec;
  /** Validates every create/update, then applies all atomically via the store. */
  transact(writes: readonly BatchWrite[]): Promise<void>;
}
