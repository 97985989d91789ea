import type { LoadBalancer, RetryConf, TimeoutConf } from '../../core/resources/specs.js';
import type { LbSettings } from '../envoy/clusters.js';
import { parseDuration, type DurationValue } from '../envoy/duration.js';
import type { EnvoyObject } from '../envoy/encode.js';
import type { RetrySettings } from '../envoy/http.js';

/** Kuma's cluster connect timeout when no Timeout policy applies. */
export const DEFAULT_CONNECT_TIMEOUT: DurationValue = { seconds: 5 };

export type OutboundProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

export function lbSettings(lb: LoadBalancer | undefined): LbSettings {
  if (!lb || 'roundRobin' in lb) return { policy: 'ROUND_ROBIN' };
  if ('leastRequest' in lb) return { policy: 'LEAST_REQUEST', ...(lb.leastRequest.choiceCount ? { choiceCount: lb.leastRequest.choiceCount } : {}) };
  if ('ringHash' in lb) {
    const r = lb.ringHash;
    return {
      policy: 'RING_HASH',
      ...(r.hashFunction ? { hashFunction: r.hashFunction } : {}),
      ...(r.minRingSize ? { minRingSize: r.minRingSize } : {}),
      ...(r.maxRingSize ? { maxRingSize: r.maxRingSize } : {}),
    };
  }
  if ('random' in lb) return { policy: 'RANDOM' };
  return { policy: 'MAGLEV' };
}

export function connectTimeout(timeout: TimeoutConf | undefined): DurationValue {
  return duration(timeout?.connectTimeout) ?? DEFAULT_CONNECT_TIMEOUT;
}

/** Durations in policies are validated by the manager; a value that still fails to parse is left out. */
export function duration(text: string | undefined): DurationValue | undefined {
  return text === undefined ? undefined : parseDuration(text);
}

const GRPC_RETRY_ON: Readonly<Record<string, string>> = {
  cancelled: 'cancelled',
  deadline_exceeded: 'deadline-exceeded',
  internal: 'internal',
  resource_exhausted: 'resource-exhausted',
  unavailable: 'unavailable',
};
const HTTP_RETRY_ON = 'gateway-error,connect-failure,refused-stream';

/** Kuma's gRPC retryOn codes (all of them when none is given) as Envoy/gRFC A44 `retry_on`: no spaces. */
export function grpcRetryOn(codes: readonly string[] | undefined): string {
  return (codes?.length ? codes : Object.keys(GRPC_RETRY_ON)).map((c) => GRPC_RETRY_ON[c.toLowerCase()] ?? c.toLowerCase().replace(/_/g, '-')).join(',');
}

/** The route retry policy of a Retry conf for an HTTP-family outbound (tcp retries live on the tcp_proxy). */
export function retrySettings(conf: RetryConf | undefined, protocol: OutboundProtocol): RetrySettings | undefined {
  if (protocol === 'grpc' && conf?.grpc) {
    const g = conf.grpc;
    return retry(grpcRetryOn(g.retryOn), g.numRetries, g.perTryTimeout, g.backOff);
  }
  if ((protocol === 'http' || protocol === 'http2') && conf?.http) {
    const h = conf.http;
    const codes = h.retriableStatusCodes ?? [];
    return {
      ...retry(codes.length ? `${HTTP_RETRY_ON},retriable-status-codes` : HTTP_RETRY_ON, h.numRetries, h.perTryTimeout, h.backOff),
      ...(codes.length ? { retriableStatusCodes: codes } : {}),
    };
  }
  return undefined;
}

function retry(retryOn: string, numRetries: number | undefined, perTry: string | undefined, backOff: { baseInterval?: string; maxInterval?: string } | undefined): RetrySettings {
  const perTryTimeout = duration(perTry);
  const baseInterval = duration(backOff?.baseInterval);
  const maxInterval = duration(backOff?.maxInterval);
  return {
    retryOn,
    ...(numRetries !== undefined ? { numRetries } : {}),
    ...(perTryTimeout ? { perTryTimeout } : {}),
    ...(baseInterval ? { baseInterval } : {}),
    ...(baseInterval && maxInterval ? { maxInterval } : {}),
  };
}

// ---- HealthCheck and CircuitBreaker (Kuma 1.1 conf shapes; specs.ts does not type them) ----

export interface HealthCheckConf {
  interval?: string;
  timeout?: string;
  unhealthyThreshold?: number;
  healthyThreshold?: number;
  noTrafficInterval?: string;
  http?: { path?: string; expectedStatuses?: number[] };
  tcp?: Record<string, unknown>;
}

/** Envoy active health check; undefined when the conf lacks what Envoy requires (interval, timeout). */
export function healthCheck(conf: HealthCheckConf | undefined): EnvoyObject | undefined {
  const interval = duration(conf?.interval);
  const timeout = duration(conf?.timeout);
  if (!conf || !interval || !timeout || !positive(interval) || !positive(timeout)) return undefined;
  const noTraffic = duration(conf.noTrafficInterval);
  const statuses = conf.http?.expectedStatuses ?? [];
  return {
    interval,
    timeout,
    unhealthy_threshold: { value: conf.unhealthyThreshold ?? 1 },
    healthy_threshold: { value: conf.healthyThreshold ?? 1 },
    ...(noTraffic && positive(noTraffic) ? { no_traffic_interval: noTraffic } : {}),
    ...(conf.http?.path
      ? {
          http_health_check: {
            path: conf.http.path,
            ...(statuses.length ? { expected_statuses: statuses.map((s) => ({ start: s, end: s + 1 })) } : {}),
          },
        }
      : { tcp_health_check: {} }),
  };
}

export interface CircuitBreakerConf {
  interval?: string;
  baseEjectionTime?: string;
  maxEjectionPercent?: number;
  splitExternalAndLocalErrors?: boolean;
  thresholds?: { maxConnections?: number; maxPendingRequests?: number; maxRequests?: number; maxRetries?: number };
  detectors?: {
    totalErrors?: { consecutive?: number };
    gatewayErrors?: { consecutive?: number };
    localErrors?: { consecutive?: number };
    standardDeviation?: { requestVolume?: number; minimumHosts?: number; factor?: number };
    failure?: { requestVolume?: number; minimumHosts?: number; threshold?: number };
  };
}

export function circuitBreakers(conf: CircuitBreakerConf | undefined): EnvoyObject | undefined {
  const t = conf?.thresholds;
  if (!t) return undefined;
  const wrap = (v: number | undefined): EnvoyObject | undefined => (v === undefined ? undefined : { value: v });
  const threshold = dropUndefined({
    max_connections: wrap(t.maxConnections),
    max_pending_requests: wrap(t.maxPendingRequests),
    max_requests: wrap(t.maxRequests),
    max_retries: wrap(t.maxRetries),
  });
  return { thresholds: [threshold] };
}

/** Outlier detection: the detectors a CircuitBreaker names are enforced, the others switched off. */
export function outlierDetection(conf: CircuitBreakerConf | undefined): EnvoyObject | undefined {
  const d = conf?.detectors;
  if (!conf || !d) return undefined;
  const on = (present: unknown): EnvoyObject => ({ value: present ? 100 : 0 });
  const wrap = (v: number | undefined): EnvoyObject | undefined => (v === undefined ? undefined : { value: v });
  return dropUndefined({
    interval: duration(conf.interval),
    base_ejection_time: duration(conf.baseEjectionTime),
    max_ejection_percent: wrap(conf.maxEjectionPercent === undefined ? undefined : Math.min(100, conf.maxEjectionPercent)),
    split_external_local_origin_errors: conf.splitExternalAndLocalErrors ? true : undefined,
    consecutive_5xx: wrap(d.totalErrors?.consecutive),
    enforcing_consecutive_5xx: on(d.totalErrors),
    consecutive_gateway_failure: wrap(d.gatewayErrors?.consecutive),
    enforcing_consecutive_gateway_failure: on(d.gatewayErrors),
    consecutive_local_origin_failure: wrap(d.localErrors?.consecutive),
    enforcing_consecutive_local_origin_failure: on(d.localErrors),
    success_rate_request_volume: wrap(d.standardDeviation?.requestVolume),
    success_rate_minimum_hosts: wrap(d.standardDeviation?.minimumHosts),
    success_rate_stdev_factor: wrap(d.standardDeviation?.factor === undefined ? undefined : Math.round(d.standardDeviation.factor * 1000)),
    enforcing_success_rate: on(d.standardDeviation),
    failure_percentage_request_volume: wrap(d.failure?.requestVolume),
    failure_percentage_minimum_hosts: wrap(d.failure?.minimumHosts),
    failure_percentage_threshold: wrap(d.failure?.threshold === undefined ? undefined : Math.min(100, d.failure.threshold)),
    enforcing_failure_percentage: on(d.failure),
  });
}

function positive(d: DurationValue): boolean {
  return d.seconds > 0 || (d.nanos ?? 0) > 0;
}

function dropUndefined(o: Record<string, unknown>): EnvoyObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
