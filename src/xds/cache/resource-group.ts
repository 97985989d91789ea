import { frameSotwResources } from '../../grpc/ads-codec.js';
import type { EncodedResource } from '../resource.js';
import { TypeMemo } from './type-memo.js';
import { setVersion } from './versions.js';

const NONE: readonly EncodedResource[] = [];
const NO_NAMES: ReadonlySet<string> = new Set();

/**
 * An immutable set of encoded resources of several types with their per-type versions, computed once.
 * Proxy snapshots are made of groups: what many proxies share (a sidecar's outbounds, the proxyless
 * catalog) is one group held by all of them, so neither the resources nor their versions are copied or
 * hashed per proxy; only a proxy's own resources (its inbound listeners, its identity secret) are.
 */
export class ResourceGroup {
  private readonly byType = new Map<string, Map<string, EncodedResource>>();
  private readonly lists = new Map<string, readonly EncodedResource[]>();
  private readonly versions = new Map<string, string>();
  /** Per type, the resources framed as SotW `resources` entries, built on first use. */
  private readonly framedChunks = new Map<string, Uint8Array>();
  /** changedSince, per earlier group and type: computed once for every proxy that moves between the two. */
  private readonly diffs = new TypeMemo((before: ResourceGroup, typeUrl: string) => this.namesChangedSince(before, typeUrl));
  /** changedResources, per earlier group and type. */
  private readonly changedLists = new TypeMemo((before: ResourceGroup, typeUrl: string) => this.resourcesChangedSince(before, typeUrl));
  /** coveredBy, per name set (the dp-server shares one set between streams asking for the same names). */
  private readonly coverage = new TypeMemo((names: ReadonlySet<string>, typeUrl: string) => this.holdsExactly(names, typeUrl));

  /** Throws on a duplicate (type, name): a generator bug that Envoy would NACK. */
  constructor(resources: readonly EncodedResource[]) {
    for (const r of resources) {
      let m = this.byType.get(r.typeUrl);
      if (!m) this.byType.set(r.typeUrl, (m = new Map<string, EncodedResource>()));
      if (m.has(r.name)) throw new Error(`duplicate resource ${r.name} of type ${r.typeUrl}`);
      m.set(r.name, r);
    }
    for (const [typeUrl, m] of this.byType) {
      this.lists.set(typeUrl, [...m.values()]);
      this.versions.set(typeUrl, setVersion(m.values()));
    }
  }

  static readonly EMPTY = new ResourceGroup([]);

  types(): IterableIterator<string> {
    return this.byType.keys();
  }

  get(typeUrl: string, name: string): EncodedResource | undefined {
    return this.byType.get(typeUrl)?.get(name);
  }

  /** The resources of a type, in the order they were given. */
  list(typeUrl: string): readonly EncodedResource[] {
    return this.lists.get(typeUrl) ?? NONE;
  }

  /**
   * The resources of a type framed as the `resources` entries of a SotW response, in list order: built once
   * and written as is into every response that carries the whole type, however many proxies hold the group.
   */
  framed(typeUrl: string): Uint8Array {
    let chunk = this.framedChunks.get(typeUrl);
    if (!chunk) {
      chunk = frameSotwResources(this.list(typeUrl).map((r) => ({ type_url: r.typeUrl, value: r.bytes })));
      this.framedChunks.set(typeUrl, chunk);
    }
    return chunk;
  }

  /**
   * Names of the type that this group and `before` hold differently: another version, or only one of them
   * has the name. Memoised per (before, type): every proxy that held `before` and now holds this group (all
   * sidecars sharing a mesh's outbounds, after a mesh-wide change) gets the same set without a lookup per
   * resource.
   */
  changedSince(before: ResourceGroup, typeUrl: string): ReadonlySet<string> {
    return before === this ? NO_NAMES : this.diffs.get(before, typeUrl);
  }

  /**
   * This group's resources of the type that `before` does not hold as they are (another version, or a name
   * it lacks), in list order; memoised per (before, type) like changedSince.
   */
  changedResources(before: ResourceGroup, typeUrl: string): readonly EncodedResource[] {
    return before === this ? NONE : this.changedLists.get(before, typeUrl);
  }

  /** True when `names` are exactly the names of the group's resources of the type; memoised per name set. */
  coveredBy(names: ReadonlySet<string>, typeUrl: string): boolean {
    return this.coverage.get(names, typeUrl);
  }

  private namesChangedSince(before: ResourceGroup, typeUrl: string): ReadonlySet<string> {
    const names = new Set<string>();
    for (const r of this.list(typeUrl)) if (before.get(typeUrl, r.name)?.version !== r.version) names.add(r.name);
    for (const r of before.list(typeUrl)) if (!this.get(typeUrl, r.name)) names.add(r.name);
    return names.size === 0 ? NO_NAMES : names;
  }

  private resourcesChangedSince(before: ResourceGroup, typeUrl: string): readonly EncodedResource[] {
    const changed = this.changedSince(before, typeUrl);
    return changed.size === 0 ? NONE : this.list(typeUrl).filter((r) => changed.has(r.name));
  }

  private holdsExactly(names: ReadonlySet<string>, typeUrl: string): boolean {
    const m = this.byType.get(typeUrl);
    // Names are distinct and so are the group's: as many names, all found, is the same set.
    return (m?.size ?? 0) === names.size && [...names].every((n) => m?.has(n));
  }

  /** Hash of the (name, version) pairs of the type (`setVersion`). */
  version(typeUrl: string): string | undefined {
    return this.versions.get(typeUrl);
  }
}
