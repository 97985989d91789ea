import type { Resource, ResourceTypeName } from '../core/resources/model.js';
import type { ResourceStore, StoreEvent } from '../core/store/resource-store.js';
import type { Direction } from './labels.js';
import { keyString, toExported, type ExportedResource } from './wire-resource.js';

export type IndexListener = (types: ReadonlySet<ResourceTypeName>) => void;

/**
 * An in-memory view of the local resources of the exported types, kept current from store events, with
 * each resource's KDS version and wire form computed once per change (not once per peer or per flush).
 */
export class ExportIndex {
  private readonly byType = new Map<ResourceTypeName, Map<string, ExportedResource>>();
  private readonly listeners = new Set<IndexListener>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly store: ResourceStore,
    private readonly types: readonly ResourceTypeName[],
    private readonly direction: Direction,
  ) {}

  async start(): Promise<void> {
    const wanted = new Set(this.types);
    let buffered: StoreEvent[] | undefined = [];
    this.unsubscribe = this.store.subscribe((events) => {
      const mine = events.filter((e) => wanted.has(e.type));
      if (mine.length === 0) return;
      if (buffered) buffered.push(...mine);
      else this.apply(mine, false);
    });
    for (const type of this.types) {
      const map = new Map<string, ExportedResource>();
      for (const r of await this.store.list(type)) map.set(keyString(r.meta), toExported(r, this.direction));
      this.byType.set(type, map);
    }
    const pending = buffered;
    buffered = undefined;
    // Events that raced with the initial list: apply only what is newer than what the list returned.
    this.apply(pending, true);
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  get(type: ResourceTypeName): ReadonlyMap<string, ExportedResource> {
    return this.byType.get(type) ?? new Map();
  }

  /** Called synchronously with the types that changed in one commit. */
  onChange(listener: IndexListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private apply(events: readonly StoreEvent[], onlyNewer: boolean): void {
    const changed = new Set<ResourceTypeName>();
    for (const e of events) {
      const map = this.byType.get(e.type);
      if (!map) continue;
      const key = keyString(e.resource.meta);
      const current = map.get(key)?.resource;
      if (e.op === 'delete') {
        if (!current || (onlyNewer && isNewer(current, e.resource))) continue;
        map.delete(key);
      } else {
        if (onlyNewer && current && !isNewer(e.resource, current)) continue;
        map.set(key, toExported(e.resource, this.direction));
      }
      changed.add(e.type);
    }
    if (changed.size === 0) return;
    for (const l of this.listeners) l(changed);
  }
}

/** Is `a` a later state than `b` of the same key (a re-created resource has a later creation time)? */
function isNewer(a: Resource, b: Resource): boolean {
  if (a.meta.creationTime !== b.meta.creationTime) return a.meta.creationTime > b.meta.creationTime;
  return a.meta.version > b.meta.version;
}
