import type { ResourceTypeName } from '../core/resources/model.js';
import type { TypedResource } from '../core/resources/typed-resource.js';
import type { StoreEvent, StoreEventOf } from '../core/store/resource-store.js';
import type { StoreView } from '../core/view/store-view.js';
import type { ViewSubscription } from '../core/view/view-subscription.js';
import type { Direction } from './labels.js';
import { keyString, toExported, type ExportedResource } from './wire-resource.js';

export type IndexListener = (types: ReadonlySet<ResourceTypeName>) => void;

/** Per indexed type, its resources by key, typed by the type. */
type TypedMaps = { [N in ResourceTypeName]?: Map<string, ExportedResource<TypedResource<N>>> };

/**
 * The local resources of the exported types in their KDS wire form, kept current from the store view,
 * with each resource's KDS version and wire form computed once per change (not once per peer or per
 * flush), on the view's queue: a write never waits for the hashing.
 */
export class ExportIndex {
  private readonly byType: TypedMaps = {};
  private readonly listeners = new Set<IndexListener>();
  private subscription: ViewSubscription | undefined;

  constructor(
    private readonly view: StoreView,
    private readonly types: readonly ResourceTypeName[],
    private readonly direction: Direction,
  ) {}

  async start(): Promise<void> {
    await this.view.start();
    for (const type of this.types) this.byType[type] = new Map();
    this.subscription = this.view.watch(`kds-export-${this.direction}`, (events) => this.apply(events), { types: this.types, replay: true });
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = undefined;
  }

  /** The exported resources of `type`, typed by it (`get('Mesh')`'s specs are Mesh specs). */
  get<N extends ResourceTypeName>(type: N): ReadonlyMap<string, ExportedResource<TypedResource<N>>> {
    return this.byType[type] ?? new Map();
  }

  /** Called with the types that changed in one batch of the view's changes. */
  onChange(listener: IndexListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private apply(events: readonly StoreEvent[]): void {
    const changed = new Set<ResourceTypeName>();
    for (const e of events) if (this.applyOne(e)) changed.add(e.type);
    if (changed.size === 0) return;
    for (const l of this.listeners) l(changed);
  }

  /** False when `e` is not of an indexed type. */
  private applyOne<N extends ResourceTypeName>(e: StoreEventOf<N>): boolean {
    const map = this.byType[e.type];
    if (!map) return false;
    if (e.op === 'delete') map.delete(keyString(e.resource.meta));
    else map.set(keyString(e.resource.meta), toExported(e.resource, this.direction));
    return true;
  }
}
