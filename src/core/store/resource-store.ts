import type { OwnerRef, Resource, ResourceKey, ResourceTypeName, Spec } from '../resources/model.js';
import { asResourceOf, type ResourceOf } from '../resources/typed-resource.js';

export interface CreateOptions {
  /** Deleting the owner deletes this resource too (transitively). Mesh-scoped resources are always owned by their Mesh. */
  readonly owner?: OwnerRef;
  readonly labels?: Readonly<Record<string, string>>;
  /** Defaults to now. */
  readonly creationTime?: string;
}

export interface UpdateOptions {
  /** The version the writer read; a different stored version -> ConflictError. Omitted = unconditional. */
  readonly expectedVersion?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ListOptions {
  /** Only resources of this mesh (mesh-scoped types). */
  readonly mesh?: string;
  /** Only resources whose name starts with this prefix (KDS zone scope: `zone-1.`). */
  readonly namePrefix?: string;
}

export type StoreOp = 'create' | 'update' | 'delete';

/** A change of one resource of type `N`, emitted after it is committed. For deletes, `resource` is the last stored state. */
export interface StoreEventOf<N extends ResourceTypeName> {
  readonly op: StoreOp;
  readonly type: N;
  readonly resource: ResourceOf<N>;
}

/** A change of any type; `type` narrows `resource` (`if (e.type === 'Zone') e.resource.spec.enabled`). */
export type StoreEvent = { [N in ResourceTypeName]: StoreEventOf<N> }[ResourceTypeName];

/** Builds the event of a change of `resource`, stored under `type`. */
export function storeEvent(op: StoreOp, type: ResourceTypeName, resource: Resource): StoreEvent {
  return { op, type, resource: asResourceOf(type, resource) } as StoreEvent;
}

/** A subscriber of a store: `ResourceStore.subscribe`. */
export interface StoreListener {
  /** Called synchronously after each commit with that commit's events (cascades included), in commit order. */
  changes(events: readonly StoreEvent[]): void;
  /**
   * The store cannot tell what changed since the last delivered change (Postgres: this instance's part of the
   * change log was pruned, or the database was replaced): the subscriber must re-list what it follows. The
   * store delivers later changes only once the returned promise settles, and asks again if it rejects. Changes
   * delivered afterwards may already be reflected in the re-list (never older than it).
   */
  resync(): Promise<void>;
}

/** One write of a batch applied atomically by `transact`. */
export type BatchWrite =
  | { readonly op: 'create'; readonly type: ResourceTypeName; readonly key: ResourceKey; readonly spec: Spec; readonly options?: CreateOptions }
  | { readonly op: 'update'; readonly type: ResourceTypeName; readonly key: ResourceKey; readonly spec: Spec; readonly options?: UpdateOptions }
  | { readonly op: 'delete'; readonly type: ResourceTypeName; readonly key: ResourceKey };

/**
 * Persistence of resources keyed by (type, mesh, name); mesh '' for global-scoped types.
 * Implementations: plugins/store/sqlite, plugins/store/memory, plugins/store/postgres; one contract suite covers all.
 * The store does not validate specs (the ResourceManager does); it enforces keys, versions and ownership.
 */
export interface ResourceStore {
  /** AlreadyExistsError if the key exists; NotFoundError if `owner` does not exist. Returns the stored resource (version 1). */
  create<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options?: CreateOptions): Promise<ResourceOf<N>>;
  /** NotFoundError if missing; ConflictError on a stale expectedVersion. Version is incremented. */
  update<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options?: UpdateOptions): Promise<ResourceOf<N>>;
  /** NotFoundError if missing. Deletes everything owned by it, transitively, in the same transaction. */
  delete(type: ResourceTypeName, key: ResourceKey): Promise<void>;
  /** NotFoundError if missing. */
  get<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N>>;
  /** undefined if missing. */
  find<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N> | undefined>;
  /** Sorted by (mesh, name). */
  list<N extends ResourceTypeName>(type: N, options?: ListOptions): Promise<ResourceOf<N>[]>;
  /** Applies all writes atomically or none (first failure throws, nothing is written, no event is emitted). */
  transact(writes: readonly BatchWrite[]): Promise<void>;
  /** Returns unsubscribe. Nothing in production but the store view (core/view) subscribes. */
  subscribe(listener: StoreListener): () => void;
  /** Why the store cannot take writes right now (the CP reports itself unready), or undefined. */
  unavailableReason?(): string | undefined;
  close(): Promise<void>;
}
