import type { AckState, XdsTypeView } from '../../core/inspect/xds-inspector.js';
import type { ResourceSource, SentResources, StreamStats } from '../insights/subscription-stats.js';
import type { EncodedResource } from '../resource.js';

interface TypeRecord {
  version: string;
  state: AckState;
  sentAt: string;
  /** The resources of the last full response, as given (a snapshot view or a list: no copy per stream). */
  base: ResourceSource;
  /** Partial responses since: name -> resource, or undefined when removed. */
  readonly changes: Map<string, EncodedResource | undefined>;
  lastNack?: { version: string; errorDetail: string; at: string };
}

/**
 * Records, per type, what the last responses put on one stream and whether the proxy accepted it, so that
 * operators can see the config a proxy actually holds. Forwards every event to the insight counters.
 * Keeps references to the shared encoded resources only (no copies), and a full SotW response as the view of
 * the snapshot it was sent from: a proxy of a large mesh holds thousands of resources, so no per-stream map
 * or list of them (a list per type was ~5 KB per proxy of a 100-service mesh).
 */
export class SentConfig implements StreamStats {
  private readonly types = new Map<string, TypeRecord>();

  constructor(private readonly counters: StreamStats) {}

  sent(typeUrl: string, what?: SentResources): void {
    this.counters.sent(typeUrl, what);
    if (!what) return;
    let rec = this.types.get(typeUrl);
    if (!rec) this.types.set(typeUrl, (rec = { version: '', state: 'PENDING', sentAt: '', base: [], changes: new Map() }));
    if (what.full) {
      rec.base = what.resources;
      rec.changes.clear();
    } else {
      for (const name of what.removed) rec.changes.set(name, undefined);
      const changes = rec.changes;
      what.resources.forEach((r) => changes.set(r.name, r));
      // Many partial responses (delta) are folded into the base, so changes stay smaller than what is held.
      if (changes.size > 64 && changes.size > countOf(rec.base)) {
        rec.base = heldOf(rec);
        rec.changes.clear();
      }
    }
    rec.version = what.version;
    rec.state = 'PENDING';
    rec.sentAt = new Date().toISOString();
  }

  acked(typeUrl: string): void {
    this.counters.acked(typeUrl);
    const rec = this.types.get(typeUrl);
    if (rec) rec.state = 'ACK';
  }

  rejected(typeUrl: string, errorDetail?: string): void {
    this.counters.rejected(typeUrl, errorDetail);
    const rec = this.types.get(typeUrl);
    if (!rec) return;
    rec.state = 'NACK';
    rec.lastNack = { version: rec.version, errorDetail: errorDetail ?? '', at: new Date().toISOString() };
  }

  typeViews(): XdsTypeView[] {
    return [...this.types].map(([typeUrl, r]) => ({
      typeUrl,
      version: r.version,
      state: r.state,
      sentAt: r.sentAt,
      resources: heldOf(r).length,
      ...(r.lastNack ? { lastNack: { ...r.lastNack } } : {}),
    }));
  }

  held(): EncodedResource[] {
    return [...this.types.values()].flatMap(heldOf);
  }
}

/** What the proxy holds of one type: the last full response with the partial ones since applied. */
function heldOf(rec: TypeRecord): EncodedResource[] {
  const out: EncodedResource[] = [];
  rec.base.forEach((r) => {
    if (!rec.changes.has(r.name)) out.push(r);
  });
  for (const r of rec.changes.values()) if (r) out.push(r);
  return out;
}

function countOf(source: ResourceSource): number {
  let n = 0;
  source.forEach(() => n++);
  return n;
}
