import type { ResourceTypeName } from '../core/resources/model.js';
import type { AnyResource } from '../core/resources/typed-resource.js';
import type { StoreView } from '../core/view/store-view.js';

export interface FollowerSink {
  upsert(r: AnyResource): void;
  remove(r: AnyResource): void;
  /** Called after each batch of changes that followed the initial state. */
  changed?(): void;
}

/**
 * Feeds `sink` with the current resources of `types` from the store view and then with every change
 * (the view's own list-then-follow; changes arrive on this consumer's queue, after the write returned).
 * Resolves once the initial state is applied; returns the unsubscribe function.
 */
export async function followView(view: StoreView, name: string, types: readonly ResourceTypeName[], sink: FollowerSink): Promise<() => void> {
  await view.start();
  let initial = true;
  const sub = view.watch(
    name,
    (events) => {
      for (const e of events) {
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
