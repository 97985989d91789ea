import type { StoreEvent, StoreListener } from '../../src/core/store/resource-store.js';

/** A store listener for tests that record committed changes; a resync request (Postgres gap) is counted, not acted on. */
export function onChanges(changes: (events: readonly StoreEvent[]) => void, resyncs?: { count: number }): StoreListener {
  return {
    changes,
    resync: () => {
      if (resyncs) resyncs.count++;
      return Promise.resolve();
    },
  };
}
