import { hashParts } from '../cache/versions.js';

/** Smaller subscriptions are kept as they are: sharing them saves less than the lookup costs. */
const MIN_SHARED = 16;

/**
 * Subscribed name sets shared between the streams of one dp-server. Every Envoy of a mesh names the same
 * clusters in EDS and the same routes in RDS (1,000 each in the bench's scenario b): each stream held its
 * own Set of its own decoded strings, about 110 KB per proxy. A set equal to one another stream holds (same
 * names in the same order) is that stream's set; entries go when no stream holds their set any more.
 * Sets handed out are never modified (SotwSubscription replaces its set on every change).
 */
export class NameSets {
  private readonly sets = new Map<string, WeakRef<ReadonlySet<string>>>();
  private readonly cleanup = new FinalizationRegistry<string>((key) => {
    if (this.sets.get(key)?.deref() === undefined) this.sets.delete(key);
  });

  /** A set of `names` (duplicates dropped, order kept), shared with any stream that asked for the same. */
  intern(names: readonly string[]): ReadonlySet<string> {
    const fresh = new Set(names);
    if (fresh.size < MIN_SHARED) return fresh;
    const key = hashParts(fresh);
    const known = this.sets.get(key)?.deref();
    if (known && sameOrder(known, fresh)) return known;
    // A different set with the same hash (never seen in practice) is simply not shared.
    if (known) return fresh;
    this.sets.set(key, new WeakRef(fresh));
    this.cleanup.register(fresh, key);
    return fresh;
  }

  /** Distinct shared sets alive (tests, diagnostics). */
  get size(): number {
    return this.sets.size;
  }
}

/** Same members in the same iteration order (subscriptions are answered in their set's order). */
function sameOrder(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  const bs = b.values();
  for (const x of a) if (bs.next().value !== x) return false;
  return true;
}
