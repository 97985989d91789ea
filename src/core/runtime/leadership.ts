import { Gauge } from 'prom-client';
import { metricsRegistry } from '../metrics.js';

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
export const alwaysLeader: Leadership = {
  isLeader: true,
  onChange: () => () => undefined,
};

const leaderGauge = new Gauge({
  name: 'leader',
  help: '1 while this control-plane instance is the leader, 0 otherwise',
  registers: [metricsRegistry],
});

/** Keeps the `leader` gauge equal to the current leadership; returns the unsubscribe. */
export function exportLeaderGauge(leadership: Leadership): () => void {
  leaderGauge.set(leadership.isLeader ? 1 : 0);
  return leadership.onChange((leader) => leaderGauge.set(leader ? 1 : 0));
}
