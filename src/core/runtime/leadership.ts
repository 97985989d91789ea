import { Gauge, type Registry } from 'prom-client';
import type { Metrics } from '../metrics.js';

/**
 * Whether this instance is the leader, and when that changes. Leader-only components (defaults, VIP allocation,
 * GC, insight resync, a zone's KDS client) run only while it is true (core/runtime/component-manager.ts).
 */
export interface Leadership {
  readonly isLeader: boolean;
  /** Called with the new value on every change; returns the unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
}

/** SQLite and memory stores serve one process, which is therefore always the leader. */
export const alwaysLeader: Readonly<Leadership> = {
  isLeader: true,
  onChange: () => () => undefined,
};

const leaderGaugeOf = (registry: Registry): Gauge =>
  new Gauge({
    name: 'leader',
    help: '1 while this control-plane instance is the leader, 0 otherwise',
    registers: [registry],
  });

/** Keeps the `leader` gauge of `metrics` equal to the current leadership; returns the unsubscribe. */
export function exportLeaderGauge(leadership: Leadership, metrics: Metrics): () => void {
  const leaderGauge = metrics.of(leaderGaugeOf);
  leaderGauge.set(leadership.isLeader ? 1 : 0);
  return leadership.onChange((leader) => leaderGauge.set(leader ? 1 : 0));
}
