import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The connection budget and the connections counted against it, in one control plane's registry
 * (`rt.metrics.of(createConnectionMetrics)`): the budget is built once per runtime, so are its metrics.
 */
export function createConnectionMetrics(registry: Registry) {
  return {
    budget: new Gauge({
      name: 'cp_connection_budget',
      help: 'Connections all the CP ports may hold together, derived from the open-file limit (RLIMIT_NOFILE) minus what the process needs for everything else',
      registers: [registry],
    }),
    openFileLimit: new Gauge({
      name: 'cp_open_file_limit',
      help: 'The soft open-file limit (RLIMIT_NOFILE) the connection budget was derived from',
      registers: [registry],
    }),
    open: new Gauge({
      name: 'cp_connections_open',
      help: 'Accepted connections currently open, by CP port',
      labelNames: ['server'] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: 'cp_connections_refused_total',
      help: 'Connections closed at once on accept: over the per-source or per-port cap, or over the process-wide budget',
      labelNames: ['server', 'reason'] as const,
      registers: [registry],
    }),
  };
}

export type ConnectionMetrics = ReturnType<typeof createConnectionMetrics>;

/** Why a connection was refused (the `reason` label). */
export type RefusalReason = 'per_source' | 'per_port' | 'budget';
