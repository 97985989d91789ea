import type { LoadBalancer, RetryConf, TimeoutConf } from '../../core/resources/specs.js';
import type { LbSettings } from '../envoy/clusters.js';
import { parseDuration, type DurationValue } from '../envoy/duration.js';
import type { RetrySettings } from '../envoy/http.js';

/** Kuma's cluster connect timeout when no Timeout policy applies. */
export const DEFAULT_CONNECT_TIMEOUT: Readonly<DurationValue> = { seconds: 5 };

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

/** The HealthCheck and CircuitBreaker confs are mapped in health-check.ts and circuit-breaker.ts. */
export type { CircuitBreakerConf, HealthCheckConf } from '../../core/resources/specs.js';
