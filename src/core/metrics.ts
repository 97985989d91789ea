import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One control plane's metrics: its own prom-client registry, served in Prometheus text format on its
 * diagnostics port (`/metrics`). Each subsystem declares its metric set in its own file (`xds/xds-metrics.ts`,
 * ...) with Kuma's names where Kuma has one, and gets it with `metrics.of(createXdsMetrics)`: created once per
 * control plane, so two control planes in one process (tests) count separately. Carried by the Runtime.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly sets = new Map<(registry: Registry) => unknown, unknown>();
  private processMetrics = false;

  /** The metric set made by `create` for this registry (made on first use, then the same object). */
  of<T>(create: (registry: Registry) => T): T {
    if (!this.sets.has(create)) this.sets.set(create, create(this.registry));
    return this.sets.get(create) as T;
  }

  /** Node.js and process metrics (CPU, memory, event-loop lag, GC) in this registry; once. */
  enableProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }
}
