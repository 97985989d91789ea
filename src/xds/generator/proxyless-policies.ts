import type { RetryConf, TimeoutConf } from '../../core/resources/specs.js';
import type { DurationValue } from '../envoy/duration.js';
import type { EnvoyObject } from '../envoy/encode.js';
import type { RetrySettings } from '../envoy/http.js';
import { duration, grpcRetryOn } from './policy-conf.js';

/**
 * What of a connection's policies a proxyless gRPC client can apply, in the form both @grpc/grpc-js-xds
 * 1.14 and gRPC C-core 1.51 accept. Anything they would NACK is left out; fields they silently ignore are
 * left out too, so the config a client gets is the config it enforces.
 */

/**
 * gRFC A44: the Retry's `grpc` section (a proxyless client only speaks gRPC, whatever the destination's
 * protocol tag). num_retries (at least 1, validation refuses 0), retry_on codes, back-off with base
 * (required by both clients when back-off is present) and max, the latter raised to the base (grpc-js NACKs
 * max < base). perTryTimeout is left out: gRPC clients ignore it (A44).
 */
export function proxylessRetry(conf: RetryConf | undefined): RetrySettings | undefined {
  const g = conf?.grpc;
  if (!g) return undefined;
  const base = duration(g.backOff?.baseInterval);
  const max = duration(g.backOff?.maxInterval);
  return {
    retryOn: grpcRetryOn(g.retryOn),
    ...(g.numRetries !== undefined ? { numRetries: g.numRetries } : {}),
    ...(base ? { baseInterval: base } : {}),
    ...(base && max ? { maxInterval: nanosOf(max) < nanosOf(base) ? base : max } : {}),
  };
}

/**
 * gRFC A31: the Timeout's `grpc.maxStreamDuration` caps every RPC's deadline (route max_stream_duration).
 * 0 means no cap (left out). Other timeouts have no proxyless equivalent (RouteAction.timeout is ignored).
 */
export function proxylessMaxStreamDuration(conf: TimeoutConf | undefined): DurationValue | undefined {
  const d = duration(conf?.grpc?.maxStreamDuration);
  return d && nanosOf(d) > 0 ? d : undefined;
}

/** The outlier detection fields gRFC A50 implements (success rate and failure percentage ejection). */
const A50_FIELDS = [
  'interval',
  'base_ejection_time',
  'max_ejection_time',
  'max_ejection_percent',
  'success_rate_minimum_hosts',
  'success_rate_request_volume',
  'success_rate_stdev_factor',
  'enforcing_success_rate',
  'failure_percentage_threshold',
  'failure_percentage_minimum_hosts',
  'failure_percentage_request_volume',
  'enforcing_failure_percentage',
] as const;

/**
 * gRFC A50 from a CircuitBreaker's outlier detection (as built for sidecars, so both read the policy one
 * way): consecutive-error detectors are not implemented by gRPC and are left out; without a success-rate
 * (standardDeviation) or failure-percentage (failure) detector there is nothing to send.
 */
export function proxylessOutlierDetection(sidecar: EnvoyObject | undefined): EnvoyObject | undefined {
  if (!sidecar) return undefined;
  const enabled = (field: string): boolean => ((sidecar[field] as { value?: number } | undefined)?.value ?? 0) > 0;
  if (!enabled('enforcing_success_rate') && !enabled('enforcing_failure_percentage')) return undefined;
  return Object.fromEntries(A50_FIELDS.filter((f) => sidecar[f] !== undefined).map((f) => [f, sidecar[f]]));
}

/** gRFC A32: of a CircuitBreaker's thresholds gRPC clients enforce max_requests (concurrent RPCs per cluster). */
export function proxylessCircuitBreakers(sidecar: EnvoyObject | undefined): EnvoyObject | undefined {
  const thresholds = (sidecar?.['thresholds'] as EnvoyObject[] | undefined) ?? [];
  const maxRequests = thresholds[0]?.['max_requests'];
  return maxRequests === undefined ? undefined : { thresholds: [{ max_requests: maxRequests }] };
}

function nanosOf(d: DurationValue): number {
  return d.seconds * 1e9 + (d.nanos ?? 0);
}
