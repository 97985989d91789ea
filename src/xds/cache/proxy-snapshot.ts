import type { EncodedResource } from '../resource.js';
import { setVersion } from './versions.js';

const EMPTY: ReadonlyMap<string, EncodedResource> = new Map();

/**
 * The complete configuration of one proxy: resources by type URL and name, with a per-type version (hash
 * of the (name, version) pairs). Immutable; the same instance may be shared by several proxies
 * (proxyless clients of a mesh share one catalog), and the EncodedResource objects (bytes) are shared.
 */
export class ProxySnapshot {
  private readonly versions = new Map<string, string>();

  private constructor(private readonly byType: ReadonlyMap<string, ReadonlyMap<string, EncodedResource>>) {
    for (const [typeUrl, resources] of byType) this.versions.set(typeUrl, setVersion(resources.values()));
  }

  /** Throws on a duplicate (type, name): a generator bug that Envoy would NACK. */
  static from(resources: readonly EncodedResource[]): ProxySnapshot {
    const byType = new Map<string, Map<string, EncodedResource>>();
    for (const r of resources) {
      let m = byType.get(r.typeUrl);
      if (!m) byType.set(r.typeUrl, (m = new Map()));
      if (m.has(r.name)) throw new Error(`duplicate resource ${r.name} of type ${r.typeUrl}`);
      m.set(r.name, r);
    }
    return new ProxySnapshot(byType);
  }

  resources(typeUrl: string): ReadonlyMap<string, EncodedResource> {
    return this.byType.get(typeUrl) ?? EMPTY;
  }

  /** Version of every resource of the type (what a wildcard subscriber sees). */
  typeVersion(typeUrl: string): string {
    return this.versions.get(typeUrl) ?? setVersion([]);
  }

  /** True when every type has the same version in both snapshots. */
  sameAs(other: ProxySnapshot): boolean {
    if (other === this) return true;
    const types = new Set([...this.versions.keys(), ...other.versions.keys()]);
    for (const t of types) if (this.typeVersion(t) !== other.typeVersion(t)) return false;
    return true;
  }
}
