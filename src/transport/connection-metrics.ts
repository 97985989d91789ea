import { Counter, Gauge } from 'prom-client';
import { processRegistry } from '../core/metrics.js';

export const connectionBudgetGauge = new Gauge({
  name: 'cp_connection_budget',
  help: 'Connections all the CP ports may hold together, derived from the open-file limit (RLIMIT_NOFILE) minus what the process needs for everything else',
  registers: [processRegistry],
});

export const openFileLimitGauge = new Gauge({
  name: 'cp_open_file_limit',
  help: 'The soft open-file limit (RLIMIT_NOFILE) the connection budget was derived from',
  registers: [processRegistry],
});

export const connectionsOpen = new Gauge({
  name: 'cp_connections_open',
  help: 'Accepted connections currently open, by CP port',
  labelNames: ['server'] as const,
  registers: [processRegistry],
});

export const connectionsRefused = new Counter({
  name: 'cp_connections_refused_total',
  help: 'Connections closed at once on accept: over the per-source or per-port cap, or over the process-wide budget',
  labelNames: ['server', 'reason'] as const,
  registers: [processRegistry],
});

/** Why a connection was refused (the `reason` label). */
export type RefusalReason = 'per_source' | 'per_port' | 'budget';
