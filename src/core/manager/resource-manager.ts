import type { Resource, ResourceKey, ResourceTypeName, Spec } from '../resources/model.js';
import type { BatchWrite, CreateOptions, ListOptions, UpdateOptions } from '../store/resource-store.js';

/**
 * Validated writes over a ResourceStore. Everything that writes (REST API, KDS sink, xDS inline
 * registration, DNS allocator, insights) goes through it. It validates specs (ValidationError with every
 * violation), requires the mesh of a mesh-scoped resource to exist (MeshNotFoundError), creates the
 * per-mesh default policies with a new Mesh in the same transaction, and refuses to delete a Mesh that
 * still has Dataplanes. Mode read-only rules are the API's business (api-server/read-only.ts), not this.
 */
export interface ResourceManager {
  get(type: ResourceTypeName, key: ResourceKey): Promise<Resource>;
  find(type: ResourceTypeName, key: ResourceKey): Promise<Resource | undefined>;
  list(type: ResourceTypeName, options?: ListOptions): Promise<Resource[]>;
  create(type: ResourceTypeName, key: ResourceKey, spec: unknown, options?: CreateOptions): Promise<Resource>;
  update(type: ResourceTypeName, key: ResourceKey, spec: unknown, options?: UpdateOptions): Promise<Resource>;
  /** Create if missing, else update (unconditionally). */
  upsert(type: ResourceTypeName, key: ResourceKey, spec: unknown, options?: CreateOptions & UpdateOptions): Promise<{ resource: Resource; created: boolean }>;
  delete(type: ResourceTypeName, key: ResourceKey): Promise<void>;
  /**
   * Validates and normalises a spec without writing. `synced`: the resource comes from another CP over KDS
   * (its name may carry a `<zone>.` prefix); writes detect this from the `kuma.io/origin` label.
   */
  validate(type: ResourceTypeName, key: ResourceKey, spec: unknown, options?: { synced?: boolean }): Spec;
  /** Validates every create/update, then applies all atomically via the store. */
  transact(writes: readonly BatchWrite[]): Promise<void>;
}
