import type { Logger } from '../logging.js';
import { resourceTypes, typeNameOf, type SpecOf, type TypeRef } from '../resources/registry.js';
import type { Resource, ResourceKey, ResourceTypeName } from '../resources/model.js';
import type { ResourceStore, StoreEvent } from '../store/resource-store.js';
import { storeEvent } from '../store/store-event.js';
import { TypeTable } from './type-table.js';
import { ViewSubscription, type ViewHandler } from './view-subscription.js';

export interface WatchOptions {
  /** Only these types (default: all). */
  readonly types?: readonly ResourceTypeName[];
  /** First deliver the current resources as creates, synchronously, before `watch` returns (a sync handler has them applied on return). */
  readonly replay?: boolean;
}

/**
 * The process's one watched, versioned view of the store (an informer): per type, the current resources
 * with their versions, kept current from `ResourceStore.subscribe` and `list` only, so whatever a store
 * reports (this process's commits, other instances' commits, a resync) enters the process here.
 *
 * "List then follow" is done once, here: the view subscribes, lists, and applies the events that raced
 * with the list only when newer than what the list returned (`isNewer`); after that every event is applied
 * in order, a duplicate or older one is dropped. Consumers read it synchronously (`find`, `list`, `count`)
 * and `watch` it: each gets its own queue, delivered after the write that caused it has returned.
 */
export class StoreView {
  private readonly tables = new Map<ResourceTypeName, TypeTable>();
  private readonly subscriptions = new Set<ViewSubscription>();
  /** Events that arrived while a (re)list was in flight; undefined when following. */
  private buffered: StoreEvent[] | undefined;
  private started: Promise<void> | undefined;
  /** The last (re)list pass, and one queued behind it: passes never overlap, extra requests share the queued one. */
  private lastPass: Promise<void> = Promise.resolve();
  private queuedPass: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private changes = 0;

  constructor(
    private readonly store: ResourceStore,
    private readonly log: Logger,
    private readonly types: readonly ResourceTypeName[] = resourceTypes.map((t) => t.name),
  ) {
    for (const t of types) this.tables.set(t, new TypeTable(t));
  }

  /** Subscribes to the store and loads every type; idempotent (every component awaits it). */
  start(): Promise<void> {
    this.started ??= this.follow().catch((err: unknown) => {
      this.stop();
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.started = undefined;
  }

  /**
   * Re-lists every type and emits the differences to the current state: what the store asks for when its
   * change stream lost track (Postgres: the change log was pruned past this instance). Concurrent calls
   * share one pass; rejects if the store cannot list (the store asks again).
   */
  resync(): Promise<void> {
    if (!this.unsubscribe) return this.start();
    return this.pass();
  }

  /** Number of changes applied since the view was created; grows on every applied change. */
  get revision(): number {
    return this.changes;
  }

  /** `type` by name (`'Mesh'`) or descriptor (`typeDescriptor('Mesh')`); either way the spec is typed. */
  find<N extends ResourceTypeName>(type: TypeRef<N>, key: ResourceKey): Resource<SpecOf<N>> | undefined {
    return this.table(typeNameOf(type)).find(key) as Resource<SpecOf<N>> | undefined;
  }

  /** Sorted by (mesh, name) like `ResourceStore.list`; the array is shared and must not be mutated. */
  list<N extends ResourceTypeName>(type: TypeRef<N>, options: { mesh?: string } = {}): readonly Resource<SpecOf<N>>[] {
    return this.table(typeNameOf(type)).list(options.mesh) as readonly Resource<SpecOf<N>>[];
  }

  count(type: ResourceTypeName): number {
    return this.table(type).size;
  }

  /**
   * Registers a consumer. It receives every change applied after this call (and, with `replay`, the
   * current state first), on its own queue. `name` appears in the log if it throws.
   */
  watch(name: string, handler: ViewHandler, options: WatchOptions = {}): ViewSubscription {
    const types = options.types ? new Set(options.types) : undefined;
    const sub = new ViewSubscription(name, types, handler, this.log, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(sub);
    if (options.replay) {
      const current: StoreEvent[] = [];
      for (const t of options.types ?? this.types) for (const r of this.table(t).list()) current.push(storeEvent('create', t, r));
      sub.push(current);
      sub.deliver();
    }
    return sub;
  }

  private async follow(): Promise<void> {
    this.unsubscribe = this.store.subscribe({ changes: (events) => this.onStoreEvents(events), resync: () => this.resync() });
    await this.pass();
  }

  private pass(): Promise<void> {
    if (this.queuedPass) return this.queuedPass;
    const run = (): Promise<void> => {
      this.queuedPass = undefined;
      return this.relist();
    };
    const next = this.lastPass.then(run, run);
    this.queuedPass = next;
    this.lastPass = next;
    return next;
  }

  private onStoreEvents(events: readonly StoreEvent[]): void {
    if (this.buffered) {
      for (const e of events) this.buffered.push(e);
      return;
    }
    const applied: StoreEvent[] = [];
    for (const e of events) {
      const change = this.tables.get(e.type)?.apply(e);
      if (change) applied.push(change);
    }
    this.publish(applied);
  }

  /** Lists every type into fresh tables, applies the events that raced with the list, and emits the difference. */
  private async relist(): Promise<void> {
    this.buffered = [];
    let lists: Resource[][];
    try {
      lists = await Promise.all(this.types.map((t) => this.store.list(t)));
    } catch (err) {
      this.release();
      throw err;
    }
    const fresh = new Map(this.types.map((t) => [t, new TypeTable(t)]));
    for (const list of lists) for (const r of list) fresh.get(r.type)?.apply(storeEvent('create', r.type, r));
    for (const e of this.buffered) fresh.get(e.type)?.apply(e);
    this.buffered = undefined;
    const applied: StoreEvent[] = [];
    for (const [type, table] of this.tables) {
      const target = fresh.get(type);
      if (!target) continue;
      for (const change of table.diff(target)) if (table.apply(change, true)) applied.push(change);
    }
    this.publish(applied);
  }

  /** A failed list: the events held back meanwhile are applied as if they had arrived now. */
  private release(): void {
    const held = this.buffered ?? [];
    this.buffered = undefined;
    this.onStoreEvents(held);
  }

  private publish(applied: readonly StoreEvent[]): void {
    if (applied.length === 0) return;
    this.changes += applied.length;
    for (const sub of this.subscriptions) sub.push(applied);
  }

  private table(type: ResourceTypeName): TypeTable {
    const t = this.tables.get(type);
    if (!t) throw new Error(`the store view does not hold ${type}`);
    return t;
  }
}
