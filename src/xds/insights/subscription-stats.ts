import { LiveSubscription } from '../../core/insights/live-subscription.js';
import type { DiscoverySubscription } from '../../core/resources/specs.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';

/**
 * The resources of a response: a list, or the view of the snapshot a full SotW response was framed from
 * (a reference to shared groups, iterated only when an operator inspects the proxy).
 */
export interface ResourceSource {
  forEach(fn: (r: EncodedResource) => void): void;
}

/** What one response carried: SotW sends the full state of a type, delta changes and removals. */
export interface SentResources {
  readonly version: string;
  readonly resources: ResourceSource;
  readonly removed: readonly string[];
  readonly full: boolean;
}

/** What an ADS stream reports about itself. */
export interface StreamStats {
  sent(typeUrl: string, what?: SentResources): void;
  acked(typeUrl: string): void;
  rejected(typeUrl: string, errorDetail?: string): void;
}

const CATEGORIES = ['cds', 'eds', 'lds', 'rds'] as const;
type Category = (typeof CATEGORIES)[number];
const CATEGORY: Readonly<Record<string, Category>> = {
  [TYPE_URLS.cluster]: 'cds',
  [TYPE_URLS.clusterLoadAssignment]: 'eds',
  [TYPE_URLS.listener]: 'lds',
  [TYPE_URLS.routeConfiguration]: 'rds',
};

/** Counters of one ADS stream (one DataplaneInsight subscription), written by the shared insight tracker. */
export class SubscriptionStats extends LiveSubscription<DiscoverySubscription> implements StreamStats {
  private configError: string | undefined;

  constructor(
    private readonly controlPlaneInstanceId: string,
    private readonly version: DiscoverySubscription['version'],
  ) {
    super();
  }

  sent(typeUrl: string): void {
    this.count('sent', CATEGORY[typeUrl]);
  }

  acked(typeUrl: string): void {
    this.count('acked', CATEGORY[typeUrl]);
  }

  rejected(typeUrl: string): void {
    this.count('rejected', CATEGORY[typeUrl]);
  }

  /** Why the proxy's configuration cannot be generated now (undefined: it can); written with the next flush. */
  setConfigError(error: string | undefined): void {
    if (error === this.configError) return;
    this.configError = error;
    this.dirty = true;
  }

  toSubscription(): DiscoverySubscription {
    const status: DiscoverySubscription['status'] = { total: { ...this.total } };
    if (this.lastUpdateTime) status.lastUpdateTime = this.lastUpdateTime;
    for (const c of CATEGORIES) status[c] = this.countedUnder(c);
    if (this.configError !== undefined) status.configError = this.configError;
    const sub: DiscoverySubscription = { id: this.id, controlPlaneInstanceId: this.controlPlaneInstanceId, connectTime: this.connectTime, status };
    if (this.disconnectTime) sub.disconnectTime = this.disconnectTime;
    if (this.version) sub.version = this.version;
    return sub;
  }
}
