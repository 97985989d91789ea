import { anyOf, type EnvoyObject } from './encode.js';

/** Kuma's tracing cluster name (pkg/xds/envoy/names: `tracing:<backend>`). */
export function tracingClusterName(backend: string): string {
  return `tracing:${backend}`;
}

export type ZipkinEndpointVersion = 'HTTP_JSON' | 'HTTP_PROTO';

export interface ZipkinProvider {
  readonly type: 'zipkin';
  readonly cluster: string;
  /** The URL's path (collector_endpoint). */
  readonly endpoint: string;
  /** The URL's host:port (collector_hostname, the Host header of span reports). */
  readonly hostname: string;
  readonly traceId128bit: boolean;
  readonly version: ZipkinEndpointVersion;
  readonly sharedSpanContext?: boolean;
}

export interface DatadogProvider {
  readonly type: 'datadog';
  readonly cluster: string;
  /** The service the spans are reported under. */
  readonly serviceName: string;
}

export interface TracingOptions {
  readonly provider: ZipkinProvider | DatadogProvider;
  /** Percentage (0-100) of requests traced; absent = Envoy's default, 100. */
  readonly sampling?: number;
}

/**
 * The HTTP connection manager's `tracing` (Kuma's TracingConfigurer): the provider in `tracing.provider`
 * and the backend's sampling as `overall_sampling`, as Kuma 1.x sets it.
 */
export function hcmTracing(o: TracingOptions): EnvoyObject {
  return {
    ...(o.sampling !== undefined ? { overall_sampling: { value: o.sampling } } : {}),
    provider: o.provider.type === 'zipkin' ? zipkin(o.provider) : datadog(o.provider),
  };
}

function zipkin(p: ZipkinProvider): EnvoyObject {
  return {
    name: 'envoy.tracers.zipkin',
    typed_config: anyOf('envoy.config.trace.v3.ZipkinConfig', {
      collector_cluster: p.cluster,
      collector_endpoint: p.endpoint,
      trace_id_128bit: p.traceId128bit,
      collector_endpoint_version: p.version,
      collector_hostname: p.hostname,
      ...(p.sharedSpanContext !== undefined ? { shared_span_context: { value: p.sharedSpanContext } } : {}),
    }),
  };
}

function datadog(p: DatadogProvider): EnvoyObject {
  return {
    name: 'envoy.tracers.datadog',
    typed_config: anyOf('envoy.config.trace.v3.DatadogConfig', { collector_cluster: p.cluster, service_name: p.serviceName }),
  };
}
