import type { ProxySnapshot } from './proxy-snapshot.js';

export type SnapshotListener = (snapshot: ProxySnapshot) => void;

/**
 * Current snapshot per proxy key (`<mesh>.<name>`), with watchers (the ADS streams of that proxy).
 * Setting a snapshot whose type versions all equal the current one is a no-op: nothing is resent.
 */
export class SnapshotCache {
  private readonly snapshots = new Map<string, ProxySnapshot>();
  private readonly watchers = new Map<string, Set<SnapshotListener>>();

  get(key: string): ProxySnapshot | undefined {
    return this.snapshots.get(key);
  }

  /** Returns true if watchers were notified (the snapshot changed). */
  set(key: string, snapshot: ProxySnapshot): boolean {
    const current = this.snapshots.get(key);
    if (current?.sameAs(snapshot)) return false;
    this.snapshots.set(key, snapshot);
    for (const listener of this.watchers.get(key) ?? []) listener(snapshot);
    return true;
  }

  delete(key: string): void {
    this.snapshots.delete(key);
  }

  /** Calls `listener` on every change; returns the unsubscribe function. */
  watch(key: string, listener: SnapshotListener): () => void {
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      const s = this.watchers.get(key);
      s?.delete(listener);
      if (s?.size === 0) this.watchers.delete(key);
    };
  }

  keys(): IterableIterator<string> {
    return this.snapshots.keys();
  }
}
