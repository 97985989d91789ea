import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process's metrics registry, served in Prometheus text format on the diagnostics port (`/metrics`).
 * Each subsystem declares its own metrics against it (`src/dns/dns-metrics.ts`, ...), with Kuma's names
 * where Kuma has one.
 */
export const metricsRegistry = new Registry();

let processMetrics = false;

/** Node.js and process metrics (CPU, memory, event-loop lag, GC); once per process. */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry });
}
