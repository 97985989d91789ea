import type { Resource, ResourceKey, ResourceTypeName } from '../resources/model.js';
import { storeEvent, type StoreEvent } from '../store/resource-store.js';
import { byMeshThenName, isNewer } from './resource-order.js';

/**
 * The current resources of one type, by mesh then name, with list results cached until the next change
 * (the xDS reconciler lists ~15 types per mesh rebuild; unchanged types cost nothing).
 */
export class TypeTable {
  private readonly byMesh = new Map<string, Map<string, Resource>>();
  private count = 0;
  private all: readonly Resource[] | undefined;
  private readonly perMesh = new Map<string, readonly Resource[]>();

  constructor(readonly type: ResourceTypeName) {}

  get size(): number {
    return this.count;
  }

  find(key: ResourceKey): Resource | undefined {
    return this.byMesh.get(key.mesh)?.get(key.name);
  }

  /** Sorted by (mesh, name), as the store lists. Shared: callers must not mutate it. */
  list(mesh?: string): readonly Resource[] {
    if (mesh === undefined) return (this.all ??= [...this.byMesh.values()].flatMap((m) => [...m.values()]).sort(byMeshThenName));
    let cached = this.perMesh.get(mesh);
    if (!cached) {
      cached = [...(this.byMesh.get(mesh)?.values() ?? [])].sort(byMeshThenName);
      this.perMesh.set(mesh, cached);
    }
    return cached;
  }

  /**
   * Applies one store event if it is newer than what the table holds, and returns the change it made
   * (op normalised to what it did here: an update of an unknown key is a create), or undefined when the
   * event is a duplicate or older than the current state. `force` applies it regardless of order (a
   * resync's difference, where the store's list is the truth).
   */
  apply(event: StoreEvent, force = false): StoreEvent | undefined {
    const r = event.resource;
    const current = this.find(r.meta);
    if (event.op === 'delete') {
      if (!current || (!force && isNewer(current, r))) return undefined;
      this.remove(r);
      return storeEvent('delete', this.type, r);
    }
    if (current && !force && !isNewer(r, current)) return undefined;
    this.put(r);
    return storeEvent(current ? 'update' : 'create', this.type, r);
  }

  /** The changes that turn this table into `target` (creates, updates, then deletes), without applying them. */
  diff(target: TypeTable): StoreEvent[] {
    const out: StoreEvent[] = [];
    for (const r of target.list()) {
      const current = this.find(r.meta);
      if (!current) out.push(storeEvent('create', this.type, r));
      else if (current.meta.version !== r.meta.version || current.meta.creationTime !== r.meta.creationTime) out.push(storeEvent('update', this.type, r));
    }
    for (const r of this.list()) if (!target.find(r.meta)) out.push(storeEvent('delete', this.type, r));
    return out;
  }

  private put(r: Resource): void {
    let names = this.byMesh.get(r.meta.mesh);
    if (!names) this.byMesh.set(r.meta.mesh, (names = new Map<string, Resource>()));
    if (!names.has(r.meta.name)) this.count++;
    names.set(r.meta.name, r);
    this.invalidate(r.meta.mesh);
  }

  private remove(r: Resource): void {
    const names = this.byMesh.get(r.meta.mesh);
    if (!names?.delete(r.meta.name)) return;
    this.count--;
    if (names.size === 0) this.byMesh.delete(r.meta.mesh);
    this.invalidate(r.meta.mesh);
  }

  private invalidate(mesh: string): void {
    this.all = undefined;
    this.perMesh.delete(mesh);
  }
}
