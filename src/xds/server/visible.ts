import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { EmptyClaMemo } from './empty-cla.js';

/** The resources of one type a subscription sees, in response order. */
export interface Visible {
  /** Exactly the snapshot's resources of the type: the snapshot's type version and framed groups apply. */
  readonly complete: boolean;
  readonly size: number;
  forEach(fn: (r: EncodedResource) => void): void;
  get(name: string): EncodedResource | undefined;
  /** The resources as a new array. */
  list(): EncodedResource[];
}

/**
 * The resources of one type a subscription sees: everything for wildcard plus the explicitly named ones.
 * A named cluster the snapshot lacks gets an empty ClusterLoadAssignment; other unknown names are omitted
 * (remembered by the subscription and sent once they appear).
 * The common case, a subscription that covers exactly the snapshot's resources of the type (wildcard, or
 * Envoy naming every cluster of its CDS in EDS), is a view of the snapshot: nothing is copied per proxy.
 */
export function visibleResources(snapshot: ProxySnapshot, typeUrl: string, wildcard: boolean, names: ReadonlySet<string>, emptyCla: EmptyClaMemo): Visible {
  if (coversExactly(snapshot, typeUrl, wildcard, names)) return new WholeType(snapshot, typeUrl);
  const out = new Map<string, EncodedResource>();
  if (wildcard) snapshot.forEach(typeUrl, (r) => out.set(r.name, r));
  let extra = false;
  for (const name of names) {
    if (out.has(name)) continue;
    const r = snapshot.get(typeUrl, name);
    if (r) out.set(name, r);
    else if (typeUrl === TYPE_URLS.clusterLoadAssignment) {
      out.set(name, emptyCla.get(name));
      extra = true;
    }
  }
  return new Subset(out, !extra && out.size === snapshot.count(typeUrl));
}

/** True when wildcard/names select every resource of the type in the snapshot and nothing else. */
function coversExactly(snapshot: ProxySnapshot, typeUrl: string, wildcard: boolean, names: ReadonlySet<string>): boolean {
  if (!wildcard) return snapshot.coveredBy(names, typeUrl);
  // Wildcard sees everything; named extras must all exist.
  for (const name of names) if (!snapshot.get(typeUrl, name)) return false;
  return true;
}

class WholeType implements Visible {
  readonly complete = true;

  constructor(
    private readonly snapshot: ProxySnapshot,
    private readonly typeUrl: string,
  ) {}

  get size(): number {
    return this.snapshot.count(this.typeUrl);
  }

  forEach(fn: (r: EncodedResource) => void): void {
    this.snapshot.forEach(this.typeUrl, fn);
  }

  get(name: string): EncodedResource | undefined {
    return this.snapshot.get(this.typeUrl, name);
  }

  list(): EncodedResource[] {
    const out: EncodedResource[] = [];
    this.snapshot.forEach(this.typeUrl, (r) => out.push(r));
    return out;
  }
}

class Subset implements Visible {
  constructor(
    private readonly byName: ReadonlyMap<string, EncodedResource>,
    readonly complete: boolean,
  ) {}

  get size(): number {
    return this.byName.size;
  }

  forEach(fn: (r: EncodedResource) => void): void {
    for (const r of this.byName.values()) fn(r);
  }

  get(name: string): EncodedResource | undefined {
    return this.byName.get(name);
  }

  list(): EncodedResource[] {
    return [...this.byName.values()];
  }
}

/** What a client that was sent `snapshot` for a subscription holds under `name` (an empty CLA for an unknown cluster). */
export function sentResource(snapshot: ProxySnapshot, typeUrl: string, name: string, emptyCla: EmptyClaMemo): EncodedResource | undefined {
  return snapshot.get(typeUrl, name) ?? (typeUrl === TYPE_URLS.clusterLoadAssignment ? emptyCla.get(name) : undefined);
}

/** Push order: PUSH_ORDER first, then any other type the client asked for, by name. */
export function orderTypes(requested: Iterable<string>, pushOrder: readonly string[]): string[] {
  const known = new Set(pushOrder);
  const extra = [...requested].filter((t) => !known.has(t)).sort();
  return [...pushOrder, ...extra];
}
