import type { EncodedResource } from '../resource.js';
import { ResourceGroup } from './resource-group.js';
import { hashParts, setVersion } from './versions.js';

const EMPTY_VERSION = setVersion([]);

/**
 * The complete configuration of one proxy: its own resources and the groups it shares with other proxies,
 * with a per-type version. A type's version is its group's precomputed version when one group holds the
 * type (the common case: a proxy's clusters all come from its shared group), else a hash of the groups'
 * versions, so no per-proxy work grows with the size of what is shared. Immutable; the same instance, its
 * groups and their EncodedResource objects (bytes) may be shared by many proxies.
 */
export class ProxySnapshot {
  private readonly versions = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  /** Per type held by exactly one group: that group. */
  private readonly soleHolder = new Map<string, ResourceGroup>();

  /** `groups`: the first group holding a (type, name) wins; a duplicate across groups is a generator bug. */
  private constructor(private readonly groups: readonly ResourceGroup[]) {
    const holders = new Map<string, ResourceGroup[]>();
    for (const g of groups) {
      for (const t of g.types()) {
        const list = holders.get(t);
        if (list) list.push(g);
        else holders.set(t, [g]);
      }
    }
    for (const [typeUrl, gs] of holders) {
      if (gs.length > 1) assertDisjoint(typeUrl, gs);
      this.versions.set(typeUrl, gs.length === 1 ? (gs[0]?.version(typeUrl) ?? EMPTY_VERSION) : hashParts(gs.map((g) => g.version(typeUrl) ?? '')));
      this.counts.set(typeUrl, gs.reduce((n, g) => n + g.list(typeUrl).length, 0));
      if (gs.length === 1 && gs[0]) this.soleHolder.set(typeUrl, gs[0]);
    }
  }

  /** Throws on a duplicate (type, name): a generator bug that Envoy would NACK. */
  static from(resources: readonly EncodedResource[]): ProxySnapshot {
    return new ProxySnapshot([new ResourceGroup(resources)]);
  }

  /** A snapshot made of shared groups (and usually one group of the proxy's own resources). */
  static of(groups: readonly ResourceGroup[]): ProxySnapshot {
    return new ProxySnapshot(groups);
  }

  get(typeUrl: string, name: string): EncodedResource | undefined {
    for (const g of this.groups) {
      const r = g.get(typeUrl, name);
      if (r) return r;
    }
    return undefined;
  }

  /**
   * True when `names` are exactly the names of the snapshot's resources of the type. When one group holds
   * the type (a sidecar's CLAs and routes all come from its shared group) the answer is that group's,
   * memoised per name set: proxies sharing both pay nothing per name.
   */
  coveredBy(names: ReadonlySet<string>, typeUrl: string): boolean {
    if (names.size !== this.count(typeUrl)) return false;
    const sole = this.soleHolder.get(typeUrl);
    if (sole) return sole.coveredBy(names, typeUrl);
    for (const name of names) if (!this.get(typeUrl, name)) return false;
    return true;
  }

  /** Number of resources of the type. */
  count(typeUrl: string): number {
    return this.counts.get(typeUrl) ?? 0;
  }

  /** Calls `fn` for every resource of the type. */
  forEach(typeUrl: string, fn: (r: EncodedResource) => void): void {
    for (const g of this.groups) for (const r of g.list(typeUrl)) fn(r);
  }

  /** Every resource of the type as SotW `resources` entries, one pre-framed chunk per group, in `forEach` order. */
  framed(typeUrl: string): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const g of this.groups) if (g.list(typeUrl).length > 0) out.push(g.framed(typeUrl));
    return out;
  }

  /** Names of the resources of the type (tests, diagnostics). */
  names(typeUrl: string): string[] {
    const out: string[] = [];
    this.forEach(typeUrl, (r) => out.push(r.name));
    return out;
  }

  /** Version of every resource of the type (what a wildcard subscriber sees). */
  typeVersion(typeUrl: string): string {
    return this.versions.get(typeUrl) ?? EMPTY_VERSION;
  }

  /**
   * Names of the type whose resource differs between `before` and this snapshot (another version, added or
   * removed), possibly with a few more (a name that moved between groups unchanged). Snapshots built the same
   * way (same number of groups) are compared group by group through the groups' memoised diffs: a proxy
   * whose shared group changed pays nothing per shared resource. Otherwise every name is compared.
   */
  changedSince(before: ProxySnapshot, typeUrl: string): ChangedNames {
    // A type version is a hash of the type's (name, version) pairs, EMPTY_VERSION when none: equal versions, same resources.
    if (before.typeVersion(typeUrl) === this.typeVersion(typeUrl)) return ChangedNames.NONE;
    if (before.groups.length !== this.groups.length) return new ChangedNames([this.comparedByName(before, typeUrl)]);
    const parts: ReadonlySet<string>[] = [];
    this.groups.forEach((g, i) => {
      const old = before.groups[i];
      if (old && old !== g) {
        const changed = g.changedSince(old, typeUrl);
        if (changed.size > 0) parts.push(changed);
      }
    });
    return new ChangedNames(parts);
  }

  /**
   * The resources of the type a client holding `before` lacks as they are (changed or new), from the groups'
   * memoised lists, possibly with a few it has (one that moved between groups unchanged); undefined when the
   * snapshots differ in shape (the caller compares name by name).
   */
  changedResources(before: ProxySnapshot, typeUrl: string): EncodedResource[] | undefined {
    if (before.groups.length !== this.groups.length) return undefined;
    const out: EncodedResource[] = [];
    this.groups.forEach((g, i) => {
      const old = before.groups[i];
      if (old && old !== g) for (const r of g.changedResources(old, typeUrl)) out.push(r);
    });
    return out;
  }

  private comparedByName(before: ProxySnapshot, typeUrl: string): ReadonlySet<string> {
    const names = new Set<string>();
    this.forEach(typeUrl, (r) => {
      if (before.get(typeUrl, r.name)?.version !== r.version) names.add(r.name);
    });
    before.forEach(typeUrl, (r) => {
      if (!this.get(typeUrl, r.name)) names.add(r.name);
    });
    return names;
  }

  /** True when every type has the same version in both snapshots. */
  sameAs(other: ProxySnapshot): boolean {
    if (other === this) return true;
    const types = new Set([...this.versions.keys(), ...other.versions.keys()]);
    for (const t of types) if (this.typeVersion(t) !== other.typeVersion(t)) return false;
    return true;
  }
}

function assertDisjoint(typeUrl: string, groups: readonly ResourceGroup[]): void {
  // Check the smaller groups' names against the others (a proxy's own group is small).
  const sorted = [...groups].sort((a, b) => a.list(typeUrl).length - b.list(typeUrl).length);
  for (let i = 0; i < sorted.length - 1; i++) {
    for (const r of sorted[i]?.list(typeUrl) ?? []) {
      for (let j = i + 1; j < sorted.length; j++) {
        if (sorted[j]?.get(typeUrl, r.name)) throw new Error(`duplicate resource ${r.name} of type ${typeUrl}`);
      }
    }
  }
}

/** The names two snapshots of a type hold differently, as the union of a few (shared, memoised) sets. */
export class ChangedNames {
  static readonly NONE = new ChangedNames([]);

  constructor(private readonly parts: readonly ReadonlySet<string>[]) {}

  /** Each name once, in a stable order (the parts' order, then each set's). */
  forEach(fn: (name: string) => void): void {
    this.parts.forEach((part, i) => {
      for (const n of part) if (!this.inEarlier(n, i)) fn(n);
    });
  }

  private inEarlier(name: string, i: number): boolean {
    for (let j = 0; j < i; j++) if (this.parts[j]?.has(name)) return true;
    return false;
  }
}
