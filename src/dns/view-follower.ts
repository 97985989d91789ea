import type { ResourceTypeName } from '../core/resources/model.js';
import type { AnyResource, AnyResourceOf } from '../core/resources/typed-resource.js';
import type { StoreView } from '../core/view/store-view.js';

/** What a follower of the types `N` is fed: resources of those types only, typed by them. */
export interface FollowerSink<N extends ResourceTypeName = ResourceTypeName> {
  upsert(r: AnyResourceOf<N>): void;
  remove(r: AnyResourceOf<N>): void;
  /** Called after each batch of changes that followed the initial state. */
  changed?(): void;
}

/**
 * Feeds `sink` with the current resources of `types` from the store view and then with every change
 * (the view's own list-then-follow; changes arrive on this consumer's queue, after the write returned).
 * Resolves once the initial state is applied; returns the unsubscribe function.
 */
export async function followView<N extends ResourceTypeName>(view: StoreView, name: string, types: readonly N[], sink: FollowerSink<N>): Promise<() => void> {
  await view.start();
  const followed: ReadonlySet<ResourceTypeName> = new Set(types);
  // The view delivers only `types`; checked here so the sink's typing rests on a test, not on a cast.
  const isFollowed = (r: AnyResource): r is AnyResource & AnyResourceOf<N> => followed.has(r.type);
  let initial = true;
  const sub = view.watch(
    name,
    (events) => {
      for (const e of events) {
        if (!isFollowed(e.resource)) continue;
        if (e.op === 'delete') sink.remove(e.resource);
        else sink.upsert(e.resource);
      }
      if (!initial) sink.changed?.();
    },
    { types, replay: true },
  );
  initial = false;
  return () => sub.close();
}
