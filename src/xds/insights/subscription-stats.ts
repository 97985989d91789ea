import { randomUUID } from 'node:crypto';
import type { DiscoverySubscription, DiscoveryTypeStats } from '../../core/resources/specs.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { xdsRequestsReceived, xdsResponsesSent } from '../xds-metrics.js';

/** What one response carried: SotW sends the full state of a type, delta changes and removals. */
export interface SentResources {
  readonly version: string;
  readonly resources: readonly EncodedResource[];
  readonly removed: readonly string[];
  readonly full: boolean;
}

/** What an ADS stream reports about itself. */
export interface StreamStats {
  sent(typeUrl: string, what?: SentResources): void;
  acked(typeUrl: string): void;
  rejected(typeUrl: string, errorDetail?: string): void;
}

type Category = 'cds' | 'eds' | 'lds' | 'rds';
const CATEGORY: Readonly<Record<string, Category>> = {
  [TYPE_URLS.cluster]: 'cds',
  [TYPE_URLS.clusterLoadAssignment]: 'eds',
  [TYPE_URLS.listener]: 'lds',
  [TYPE_URLS.routeConfiguration]: 'rds',
};

const zero = (): DiscoveryTypeStats => ({ responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0 });

/** Counters of one ADS stream (one DataplaneInsight subscription). `dirty` tells the flusher to write. */
export class SubscriptionStats implements StreamStats {
  readonly id = randomUUID();
  readonly connectTime = new Date().toISOString();
  disconnectTime: string | undefined;
  dirty = true;
  private lastUpdateTime: string | undefined;
  private readonly total = zero();
  private readonly perType: Record<Category, DiscoveryTypeStats> = { cds: zero(), eds: zero(), lds: zero(), rds: zero() };

  constructor(
    private readonly controlPlaneInstanceId: string,
    private readonly version: DiscoverySubscription['version'],
  ) {}

  sent(typeUrl: string): void {
    xdsResponsesSent.inc({ type_url: typeUrl });
    this.bump(typeUrl, 'responsesSent');
  }

  acked(typeUrl: string): void {
    xdsRequestsReceived.inc({ type_url: typeUrl, confirmation: 'ACK' });
    this.bump(typeUrl, 'responsesAcknowledged');
  }

  rejected(typeUrl: string): void {
    xdsRequestsReceived.inc({ type_url: typeUrl, confirmation: 'NACK' });
    this.bump(typeUrl, 'responsesRejected');
  }

  disconnect(): void {
    this.disconnectTime ??= new Date().toISOString();
    this.dirty = true;
  }

  toSubscription(): DiscoverySubscription {
    const status: DiscoverySubscription['status'] = { total: { ...this.total } };
    if (this.lastUpdateTime) status.lastUpdateTime = this.lastUpdateTime;
    for (const c of ['cds', 'eds', 'lds', 'rds'] as const) status[c] = { ...this.perType[c] };
    const sub: DiscoverySubscription = { id: this.id, controlPlaneInstanceId: this.controlPlaneInstanceId, connectTime: this.connectTime, status };
    if (this.disconnectTime) sub.disconnectTime = this.disconnectTime;
    if (this.version) sub.version = this.version;
    return sub;
  }

  private bump(typeUrl: string, field: keyof DiscoveryTypeStats): void {
    this.total[field]++;
    const c = CATEGORY[typeUrl];
    if (c) this.perType[c][field]++;
    this.lastUpdateTime = new Date().toISOString();
    this.dirty = true;
  }
}
