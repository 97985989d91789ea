import { Counter, Gauge, Summary } from 'prom-client';
import { metricsRegistry } from '../core/metrics.js';

/** Kuma's xDS metric names. */
export const xdsStreamsActive = new Gauge({
  name: 'xds_streams_active',
  help: 'ADS streams with a registered proxy, by kind (envoy or proxyless)',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const xdsResponsesSent = new Counter({
  name: 'xds_responses_sent',
  help: 'Discovery responses sent to proxies, by type',
  labelNames: ['type_url'] as const,
  registers: [metricsRegistry],
});

export const xdsRequestsReceived = new Counter({
  name: 'xds_requests_received',
  help: 'ACKs and NACKs received from proxies, by type',
  labelNames: ['type_url', 'confirmation'] as const,
  registers: [metricsRegistry],
});

export const xdsGeneration = new Summary({
  name: 'xds_generation',
  help: 'Time to generate one proxy configuration, in milliseconds',
  percentiles: [0.5, 0.9, 0.99],
  maxAgeSeconds: 600,
  ageBuckets: 5,
  registers: [metricsRegistry],
});

export const xdsGenerationErrors = new Counter({
  name: 'xds_generation_errors',
  help: 'Proxy configurations that could not be generated (the proxy keeps its last configuration)',
  registers: [metricsRegistry],
});
