import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../core/metrics.js';

/** On the global: zones with a live KDS stream (Kuma 2.x `kds_zone_active_connections`). */
export const kdsZoneConnections = new Gauge({
  name: 'kds_zone_active_connections',
  help: 'Zones connected to this global control plane over KDS',
  registers: [metricsRegistry],
});

/** NACKs by direction: `sent` = we rejected the peer's update, `received` = the peer rejected ours. */
export const kdsNacks = new Counter({
  name: 'kds_nack_total',
  help: 'KDS updates rejected, by resource type and direction',
  labelNames: ['resource_type', 'direction'] as const,
  registers: [metricsRegistry],
});
