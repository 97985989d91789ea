import type { ResourceOf } from '../core/resources/typed-resource.js';
import { serviceKey } from './name-rules.js';
import { toVipRow } from './virtual-ip.js';

interface Entry {
  readonly service: string;
  readonly key: string;
  readonly address: Uint8Array;
}

/**
 * The resolver's in-memory view of active VIPs: DNS key (lowercased service) -> the 4 address bytes,
 * fed by VirtualIP resources. Answering is `resolve()`: one or two Map lookups.
 * Two services differing only in case share a key; the lexicographically smallest service wins.
 */
export class VipTable {
  private readonly rows = new Map<string, Entry>();
  private readonly byKey = new Map<string, Uint8Array>();
  private readonly rowsByKey = new Map<string, Set<string>>();

  get size(): number {
    return this.byKey.size;
  }

  upsert(r: ResourceOf<'VirtualIP'>): void {
    const row = toVipRow(r);
    this.remove(r.meta.name);
    if (!row?.service) return;
    const key = serviceKey(row.service);
    const ip = row.ipInt;
    this.rows.set(row.name, { service: row.service, key, address: Uint8Array.of(ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255) });
    let names = this.rowsByKey.get(key);
    if (!names) this.rowsByKey.set(key, (names = new Set()));
    names.add(row.name);
    this.reindex(key);
  }

  remove(name: string): void {
    const entry = this.rows.get(name);
    if (!entry) return;
    this.rows.delete(name);
    const names = this.rowsByKey.get(entry.key);
    names?.delete(name);
    if (names?.size === 0) this.rowsByKey.delete(entry.key);
    this.reindex(entry.key);
  }

  /** Address bytes for a name relative to the domain: tried as-is, then with inner dots as `_`. */
  resolve(relative: string): Uint8Array | undefined {
    return this.byKey.get(relative) ?? (relative.includes('.') ? this.byKey.get(relative.replaceAll('.', '_')) : undefined);
  }

  private reindex(key: string): void {
    let best: Entry | undefined;
    for (const name of this.rowsByKey.get(key) ?? []) {
      const e = this.rows.get(name);
      if (e && (!best || e.service < best.service)) best = e;
    }
    if (best) this.byKey.set(key, best.address);
    else this.byKey.delete(key);
  }
}
