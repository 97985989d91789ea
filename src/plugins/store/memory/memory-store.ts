import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../core/errors.js';
import { logger, type Logger } from '../../../core/logging.js';
import type { OwnerRef, Resource, ResourceKey, ResourceTypeName, Spec } from '../../../core/resources/model.js';
import type {
  BatchWrite,
  CreateOptions,
  ListOptions,
  ResourceStore,
  StoreEvent,
  StoreListener,
  UpdateOptions,
} from '../../../core/store/resource-store.js';
import { storeEvent } from '../../../core/store/resource-store.js';
import { StoreListeners } from '../../../core/store/store-listeners.js';
import { asResourceOf, type ResourceOf } from '../../../core/resources/typed-resource.js';
import { promiseTry } from '../../../core/promise-try.js';

interface Row {
  resource: Resource;
  /** Deleting any of these deletes the row. */
  owners: readonly OwnerRef[];
}

type Tables = Map<string, Row>;

const rowKey = (type: ResourceTypeName, mesh: string, name: string): string => `${type}\u0000${mesh}\u0000${name}`;

/** Mesh-scoped resources are owned by their Mesh, and also by an explicit owner if one is given. */
function ownersOf(key: ResourceKey, options?: CreateOptions): OwnerRef[] {
  const owners: OwnerRef[] = key.mesh ? [{ type: 'Mesh', mesh: '', name: key.mesh }] : [];
  if (options?.owner) owners.push(options.owner);
  return owners;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Keeps everything in process memory (KUMA_STORE_TYPE=memory); nothing survives a restart.
 * Writes are applied to a copy-on-write working set so that a failing `transact` leaves nothing behind.
 */
export class MemoryStore implements ResourceStore {
  private readonly rows: Tables = new Map();
  /** Types that have ever been named as an owner: only their deletes need a scan for owned rows. */
  private readonly ownerTypes = new Set<ResourceTypeName>(['Mesh']);
  private readonly listeners: StoreListeners;

  constructor(log: Logger = logger('memory-store')) {
    this.listeners = new StoreListeners(log);
  }

  create<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options?: CreateOptions): Promise<ResourceOf<N>> {
    return promiseTry(() => asResourceOf(type, this.commit((tx, events) => tx.create(type, key, spec, options, events))));
  }

  update<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options?: UpdateOptions): Promise<ResourceOf<N>> {
    return promiseTry(() => asResourceOf(type, this.commit((tx, events) => tx.update(type, key, spec, options, events))));
  }

  delete(type: ResourceTypeName, key: ResourceKey): Promise<void> {
    return promiseTry(() => {
      this.commit((tx, events) => tx.delete(type, key, events));
    });
  }

  get<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N>> {
    return promiseTry(() => {
      const row = this.rows.get(rowKey(type, key.mesh, key.name));
      if (!row) throw new NotFoundError(type, key.name, key.mesh);
      return asResourceOf(type, clone(row.resource));
    });
  }

  find<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N> | undefined> {
    return promiseTry(() => {
      const row = this.rows.get(rowKey(type, key.mesh, key.name));
      return row ? asResourceOf(type, clone(row.resource)) : undefined;
    });
  }

  list<N extends ResourceTypeName>(type: N, options: ListOptions = {}): Promise<ResourceOf<N>[]> {
    return promiseTry(() => {
      const out: ResourceOf<N>[] = [];
      for (const row of this.rows.values()) {
        const r = row.resource;
        if (r.type !== type) continue;
        if (options.mesh !== undefined && r.meta.mesh !== options.mesh) continue;
        if (options.namePrefix !== undefined && !r.meta.name.startsWith(options.namePrefix)) continue;
        out.push(asResourceOf(type, clone(r)));
      }
      return out.sort((a, b) => compare(a.meta.mesh, b.meta.mesh) || compare(a.meta.name, b.meta.name));
    });
  }

  transact(writes: readonly BatchWrite[]): Promise<void> {
    return promiseTry(() => {
      this.commit((tx, events) => {
        for (const w of writes) {
          if (w.op === 'create') tx.create(w.type, w.key, w.spec, w.options, events);
          else if (w.op === 'update') tx.update(w.type, w.key, w.spec, w.options, events);
          else tx.delete(w.type, w.key, events);
        }
      });
    });
  }

  subscribe(listener: StoreListener): () => void {
    return this.listeners.subscribe(listener);
  }

  close(): Promise<void> {
    return promiseTry(() => {
      this.listeners.clear();
    });
  }

  /** Runs `fn`; if it throws, its writes are undone (newest first) and no event is emitted. */
  private commit<T>(fn: (tx: Transaction, events: StoreEvent[]) => T): T {
    const events: StoreEvent[] = [];
    const tx = new Transaction(this.rows, this.ownerTypes);
    let result: T;
    try {
      result = fn(tx, events);
    } catch (err) {
      tx.rollback();
      throw err;
    }
    this.listeners.emit(events.map((e) => storeEvent(e.op, e.type, clone(e.resource))));
    return typeof result === 'object' && result !== null ? clone(result) : result;
  }
}

class Transaction {
  /** (key, previous row or undefined) in write order. */
  private readonly undo: [string, Row | undefined][] = [];

  constructor(
    private readonly rows: Tables,
    private readonly ownerTypes: Set<ResourceTypeName>,
  ) {}

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const [k, prev] = this.undo[i]!;
      if (prev) this.rows.set(k, prev);
      else this.rows.delete(k);
    }
  }

  private set(k: string, row: Row | undefined): void {
    this.undo.push([k, this.rows.get(k)]);
    if (row) this.rows.set(k, row);
    else this.rows.delete(k);
  }

  create(type: ResourceTypeName, key: ResourceKey, spec: Spec, options: CreateOptions | undefined, events: StoreEvent[]): Resource {
    const k = rowKey(type, key.mesh, key.name);
    if (this.rows.has(k)) throw new AlreadyExistsError(type, key.name, key.mesh);
    const owners = ownersOf(key, options);
    for (const owner of owners) {
      if (!this.rows.has(rowKey(owner.type, owner.mesh, owner.name))) throw new NotFoundError(owner.type, owner.name, owner.mesh);
      this.ownerTypes.add(owner.type);
    }
    const now = options?.creationTime ?? new Date().toISOString();
    const resource: Resource = {
      type,
      meta: { name: key.name, mesh: key.mesh, version: 1, creationTime: now, modificationTime: now, ...(options?.labels ? { labels: clone(options.labels) } : {}) },
      spec: clone(spec),
    };
    this.set(k, { resource, owners });
    events.push(storeEvent('create', type, resource));
    return resource;
  }

  update(type: ResourceTypeName, key: ResourceKey, spec: Spec, options: UpdateOptions | undefined, events: StoreEvent[]): Resource {
    const k = rowKey(type, key.mesh, key.name);
    const row = this.rows.get(k);
    if (!row) throw new NotFoundError(type, key.name, key.mesh);
    const prev = row.resource.meta;
    if (options?.expectedVersion !== undefined && options.expectedVersion !== prev.version) {
      throw new ConflictError(type, key.name, key.mesh, options.expectedVersion);
    }
    const labels = options?.labels ?? prev.labels;
    const resource: Resource = {
      type,
      meta: {
        name: prev.name,
        mesh: prev.mesh,
        version: prev.version + 1,
        creationTime: prev.creationTime,
        modificationTime: new Date().toISOString(),
        ...(labels ? { labels: clone(labels) } : {}),
      },
      spec: clone(spec),
    };
    this.set(k, { resource, owners: row.owners });
    events.push(storeEvent('update', type, resource));
    return resource;
  }

  delete(type: ResourceTypeName, key: ResourceKey, events: StoreEvent[]): void {
    const k = rowKey(type, key.mesh, key.name);
    const row = this.rows.get(k);
    if (!row) throw new NotFoundError(type, key.name, key.mesh);
    this.deleteTree(k, row, events);
  }

  private deleteTree(k: string, row: Row, events: StoreEvent[]): void {
    this.set(k, undefined);
    const { type, meta } = row.resource;
    if (!this.ownerTypes.has(type)) {
      events.push(storeEvent('delete', type, row.resource));
      return;
    }
    for (const [childKey, child] of [...this.rows]) {
      const owned = child.owners.some((o) => o.type === type && o.mesh === meta.mesh && o.name === meta.name);
      if (owned && this.rows.has(childKey)) {
        this.deleteTree(childKey, child, events);
      }
    }
    events.push(storeEvent('delete', type, row.resource));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
