import { PUSH_ORDER, type EncodedResource } from '../resource.js';

/** Collects one proxy's resources; the first resource of a (type, name) wins, output is in push order. */
export class ResourceSet {
  /** Per type URL, by name: no key string per add, and the output needs only a sort of names per type. */
  private readonly byType = new Map<string, Map<string, EncodedResource>>();

  add(resource: EncodedResource): void {
    let byName = this.byType.get(resource.typeUrl);
    if (!byName) this.byType.set(resource.typeUrl, (byName = new Map<string, EncodedResource>()));
    if (!byName.has(resource.name)) byName.set(resource.name, resource);
  }

  has(typeUrl: string, name: string): boolean {
    return this.byType.get(typeUrl)?.has(name) ?? false;
  }

  /** By PUSH_ORDER position (types not in it first), then by name (code-unit order). */
  toArray(): EncodedResource[] {
    const types = [...this.byType.keys()].sort((a, b) => rank(a) - rank(b));
    const out: EncodedResource[] = [];
    for (const t of types) {
      const byName = this.byType.get(t);
      if (!byName) continue;
      const names = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const n of names) out.push(byName.get(n) as EncodedResource);
    }
    return out;
  }
}

function rank(typeUrl: string): number {
  return (PUSH_ORDER as readonly string[]).indexOf(typeUrl);
}
