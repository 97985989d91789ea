import type { AckState, XdsTypeView } from '../../core/inspect/xds-inspector.js';
import type { SentResources, StreamStats } from '../insights/subscription-stats.js';
import type { EncodedResource } from '../resource.js';

interface TypeRecord {
  version: string;
  state: AckState;
  sentAt: string;
  readonly held: Map<string, EncodedResource>;
  lastNack?: { version: string; errorDetail: string; at: string };
}

/**
 * Records, per type, what the last responses put on one stream and whether the proxy accepted it, so that
 * operators can see the config a proxy actually holds. Forwards every event to the insight counters.
 * Keeps references to the shared encoded resources only (no copies).
 */
export class SentConfig implements StreamStats {
  private readonly types = new Map<string, TypeRecord>();

  constructor(private readonly counters: StreamStats) {}

  sent(typeUrl: string, what?: SentResources): void {
    this.counters.sent(typeUrl, what);
    if (!what) return;
    let rec = this.types.get(typeUrl);
    if (!rec) this.types.set(typeUrl, (rec = { version: '', state: 'PENDING', sentAt: '', held: new Map() }));
    if (what.full) rec.held.clear();
    for (const name of what.removed) rec.held.delete(name);
    for (const r of what.resources) rec.held.set(r.name, r);
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
      resources: r.held.size,
      ...(r.lastNack ? { lastNack: { ...r.lastNack } } : {}),
    }));
  }

  held(): EncodedResource[] {
    return [...this.types.values()].flatMap((r) => [...r.held.values()]);
  }
}
