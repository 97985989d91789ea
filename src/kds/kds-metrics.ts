import { Counter, Gauge, type Registry } from 'prom-client';
import type { ResourceTypeName } from '../core/resources/model.js';
import type { StatKind } from './type-sender.js';

/** KDS metrics in one control plane's registry (`rt.metrics.of(createKdsMetrics)`). */
export function createKdsMetrics(registry: Registry) {
  return {
    /** On the global: zones with a live KDS stream (Kuma 2.x `kds_zone_active_connections`). */
    zoneConnections: new Gauge({
      name: 'kds_zone_active_connections',
      help: 'Zones connected to this global control plane over KDS',
      registers: [registry],
    }),
    /** NACKs by direction: `sent` = we rejected the peer's update, `received` = the peer rejected ours. */
    nacks: new Counter({
      name: 'kds_nack_total',
      help: 'KDS updates rejected, by resource type and direction',
      labelNames: ['resource_type', 'direction'] as const,
      registers: [registry],
    }),
  };
}

export type KdsMetrics = ReturnType<typeof createKdsMetrics>;

type OnStat = (type: ResourceTypeName, kind: StatKind) => void;

/**
 * A stats callback for a session's senders (`received`: the peer rejected ours) or its sink (`sent`: we
 * rejected the peer's) that counts each rejection in `kds_nack_total`, then calls `next`.
 */
export function countingNacks(metrics: KdsMetrics, direction: 'sent' | 'received', next?: OnStat): OnStat {
  return (type, kind) => {
    if (kind === 'rejected') metrics.nacks.inc({ resource_type: type, direction });
    next?.(type, kind);
  };
}
