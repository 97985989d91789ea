import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { StoreEvent, StoreListener } from './resource-store.js';

/**
 * The subscribers of one store, and the one way every store implementation delivers to them: committed
 * changes synchronously, in commit order, a failing listener logged and skipped (the write is committed; it
 * must neither be undone nor starve the others); and, for a store that can lose track of changes, a resync.
 */
export class StoreListeners {
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly log: Logger) {}

  /** Returns unsubscribe. Subscribing the same listener twice gives two independent subscriptions. */
  subscribe(listener: StoreListener): () => void {
    const entry: StoreListener = { changes: (events) => listener.changes(events), resync: () => listener.resync() };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(events: readonly StoreEvent[]): void {
    if (events.length === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener.changes(events);
      } catch (err) {
        this.log.error({ err: errorMessage(err) }, 'store listener failed');
      }
    }
  }

  /** Asks every listener to re-list; rejects (after all have run) if any of them could not. */
  async resync(): Promise<void> {
    const results = await Promise.allSettled([...this.listeners].map(async (listener) => listener.resync()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  clear(): void {
    this.listeners.clear();
  }
}
