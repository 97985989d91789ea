import { randomUUID } from 'node:crypto';
import type { DiscoveryTypeStats } from '../resources/specs.js';

/** What happened to one message of a subscription: we sent it, the peer acknowledged it, or rejected it. */
export type StatKind = 'sent' | 'acked' | 'rejected';

const FIELD: Readonly<Record<StatKind, keyof DiscoveryTypeStats>> = {
  sent: 'responsesSent',
  acked: 'responsesAcknowledged',
  rejected: 'responsesRejected',
};

export const zeroStats = (): DiscoveryTypeStats => ({ responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0 });

/** The part of a stored subscription (xDS DiscoverySubscription, KDS KdsSubscription) the tracker relies on. */
export interface StoredSubscription {
  readonly id: string;
  readonly disconnectTime?: string | undefined;
}

/**
 * One live stream's subscription (an ADS stream of a data plane, a KDS stream of a zone): its id and
 * connect/disconnect times, message counters in total and per key (xDS category, KDS resource type), and
 * whether it changed since it was last written. Subclasses say how it is stored (`toSubscription`).
 */
export abstract class LiveSubscription<S extends StoredSubscription> {
  readonly id = randomUUID();
  readonly connectTime = new Date().toISOString();
  disconnectTime: string | undefined;
  /** Changed since the tracker last wrote it. */
  dirty = true;
  protected lastUpdateTime: string | undefined;
  protected readonly total = zeroStats();
  private readonly byKey = new Map<string, DiscoveryTypeStats>();

  /** Counts one message in the total and, when given, under `key`. */
  protected count(kind: StatKind, key: string | undefined): void {
    const field = FIELD[kind];
    this.total[field]++;
    if (key !== undefined) {
      let s = this.byKey.get(key);
      if (!s) this.byKey.set(key, (s = zeroStats()));
      s[field]++;
    }
    this.lastUpdateTime = new Date().toISOString();
    this.dirty = true;
  }

  /** A copy of the counters under `key` (zeros when nothing was counted there). */
  protected countedUnder(key: string): DiscoveryTypeStats {
    return { ...(this.byKey.get(key) ?? zeroStats()) };
  }

  /** The keys something was counted under, in first-counted order. */
  protected countedKeys(): string[] {
    return [...this.byKey.keys()];
  }

  disconnect(): void {
    this.disconnectTime ??= new Date().toISOString();
    this.dirty = true;
  }

  /** A fresh copy of the subscription as it is stored in the insight. */
  abstract toSubscription(): S;
}
