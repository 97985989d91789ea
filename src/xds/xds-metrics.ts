import { Counter, Gauge, Summary, type Registry } from 'prom-client';
import type { SentResources, StreamStats } from './insights/subscription-stats.js';

/** Kuma's xDS metric names, in one control plane's registry (`rt.metrics.of(createXdsMetrics)`). */
export function createXdsMetrics(registry: Registry) {
  return {
    streamsActive: new Gauge({
      name: 'xds_streams_active',
      help: 'ADS streams with a registered proxy, by kind (envoy or proxyless)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    responsesSent: new Counter({
      name: 'xds_responses_sent',
      help: 'Discovery responses sent to proxies, by type',
      labelNames: ['type_url'] as const,
      registers: [registry],
    }),
    requestsReceived: new Counter({
      name: 'xds_requests_received',
      help: 'ACKs and NACKs received from proxies, by type',
      labelNames: ['type_url', 'confirmation'] as const,
      registers: [registry],
    }),
    generation: new Summary({
      name: 'xds_generation',
      help: 'Time to generate one proxy configuration, in milliseconds',
      percentiles: [0.5, 0.9, 0.99],
      maxAgeSeconds: 600,
      ageBuckets: 5,
      registers: [registry],
    }),
    generationErrors: new Counter({
      name: 'xds_generation_errors',
      help: 'Proxy configurations that could not be generated (the proxy keeps its last configuration)',
      registers: [registry],
    }),
  };
}

export type XdsMetrics = ReturnType<typeof createXdsMetrics>;

/** A stream's stats that also count responses, ACKs and NACKs in the control plane's xDS metrics. */
export function meteredStreamStats(stats: StreamStats, metrics: XdsMetrics): StreamStats {
  return {
    sent(typeUrl: string, what?: SentResources): void {
      metrics.responsesSent.inc({ type_url: typeUrl });
      stats.sent(typeUrl, what);
    },
    acked(typeUrl: string): void {
      metrics.requestsReceived.inc({ type_url: typeUrl, confirmation: 'ACK' });
      stats.acked(typeUrl);
    },
    rejected(typeUrl: string, errorDetail?: string): void {
      metrics.requestsReceived.inc({ type_url: typeUrl, confirmation: 'NACK' });
      stats.rejected(typeUrl, errorDetail);
    },
  };
}
