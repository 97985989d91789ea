import type { Resource, ResourceTypeName } from '../core/resources/model.js';
import type { ResourceStore, StoreOp } from '../core/store/resource-store.js';

export interface FollowerSink {
  upsert(r: Resource): void;
  remove(r: Resource): void;
  /** Called once per store commit that touched a followed type, after its events were applied. */
  changed?(): void;
}

const idOf = (r: Resource): string => `${r.type}\0${r.meta.mesh}\0${r.meta.name}`;

/**
 * Feeds `sink` with the current resources of `types` and then with every change, without a window in
 * which a change is lost or an older state overwrites a newer one: it subscribes first, then lists, and
 * skips listed resources that an event already touched (the store emits every commit to every listener,
 * so that event, or a later one, carries the newest state). Resolves once the initial state is applied;
 * returns the unsubscribe function.
 */
export async function followStore(store: ResourceStore, types: readonly ResourceTypeName[], sink: FollowerSink): Promise<() => void> {
  const followed = new Set(types);
  let seenDuringLoad: Set<string> | undefined = new Set();
  const apply = (op: StoreOp, r: Resource): void => {
    seenDuringLoad?.add(idOf(r));
    if (op === 'delete') sink.remove(r);
    else sink.upsert(r);
  };
  const unsubscribe = store.subscribe((events) => {
    let touched = false;
    for (const e of events) {
      if (!followed.has(e.type)) continue;
      apply(e.op, e.resource);
      touched = true;
    }
    if (touched && seenDuringLoad === undefined) sink.changed?.();
  });
  try {
    const lists = await Promise.all(types.map((t) => store.list(t)));
    for (const list of lists) {
      for (const r of list) if (!seenDuringLoad.has(idOf(r))) sink.upsert(r);
    }
  } catch (err) {
    unsubscribe();
    throw err;
  }
  seenDuringLoad = undefined;
  return unsubscribe;
}
