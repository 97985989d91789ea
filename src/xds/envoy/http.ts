import { anyOf, type AnyValue, type EnvoyObject } from './encode.js';
import { adsConfigSource } from './clusters.js';
import type { DurationValue } from './duration.js';
import { lbMetadata } from './struct.js';

export const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'envoy.extensions.filters.http.router.v3.Router';
/** The terminal HTTP filter (last and only last). */
export const ROUTER_FILTER: Readonly<EnvoyObject> = { name: 'envoy.filters.http.router', typed_config: anyOf(ROUTER_TYPE, {}) };

export interface HcmOptions {
  readonly statPrefix: string;
  /** RDS route configuration name, or an inline route configuration. */
  readonly rds?: string;
  readonly routeConfig?: EnvoyObject;
  readonly http2?: boolean;
  readonly idleTimeout?: DurationValue;
  readonly streamIdleTimeout?: DurationValue;
  /** HCM `tracing` (TrafficTrace), see tracing.ts. */
  readonly tracing?: EnvoyObject;
  /** HCM `access_log` (TrafficLog), see access-log.ts. */
  readonly accessLog?: readonly EnvoyObject[];
  /** HTTP filters before the router (fault injection, local rate limit), in order. */
  readonly httpFilters?: readonly EnvoyObject[];
}

/** The HCM message itself (api_listener for proxyless clients, or inside a network filter). */
export function httpConnectionManager(o: HcmOptions): EnvoyObject {
  return {
    stat_prefix: o.statPrefix,
    ...(o.rds !== undefined ? { rds: { config_source: adsConfigSource(), route_config_name: o.rds } } : { route_config: o.routeConfig ?? {} }),
    http_filters: [...(o.httpFilters ?? []), ROUTER_FILTER],
    ...(o.http2 ? { http2_protocol_options: {} } : {}),
    ...(o.idleTimeout ? { common_http_protocol_options: { idle_timeout: o.idleTimeout } } : {}),
    ...(o.streamIdleTimeout ? { stream_idle_timeout: o.streamIdleTimeout } : {}),
    ...(o.tracing ? { tracing: o.tracing } : {}),
    ...(o.accessLog?.length ? { access_log: o.accessLog } : {}),
  };
}

export function hcmFilter(o: HcmOptions): EnvoyObject {
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: anyOf(HCM_TYPE, httpConnectionManager(o)) };
}

/** One destination of a route: a cluster, optionally narrowed to the endpoints whose tags match. */
export interface WeightedTarget {
  readonly cluster: string;
  readonly weight: number;
  readonly subset?: Readonly<Record<string, string>>;
}

export interface RetrySettings {
  readonly retryOn: string;
  readonly numRetries?: number;
  readonly perTryTimeout?: DurationValue;
  readonly baseInterval?: DurationValue;
  readonly maxInterval?: DurationValue;
  readonly retriableStatusCodes?: readonly number[];
}

export interface RouteActionOptions {
  readonly targets: readonly WeightedTarget[];
  readonly timeout?: DurationValue;
  readonly maxStreamDuration?: DurationValue;
  readonly retry?: RetrySettings;
  /** Host header := the upstream's DNS name (routes to ExternalServices, as Kuma does). */
  readonly autoHostRewrite?: boolean;
}

/** A single cluster target without subset becomes `cluster`; anything else `weighted_clusters`. */
export function routeAction(o: RouteActionOptions): EnvoyObject {
  const [first] = o.targets;
  const single = o.targets.length === 1 && first && !first.subset;
  return {
    ...(single
      ? { cluster: first.cluster }
      : {
          weighted_clusters: {
            clusters: o.targets.map((t) => ({
              name: t.cluster,
              weight: { value: t.weight },
              ...(t.subset ? { metadata_match: lbMetadata(t.subset) } : {}),
            })),
          },
        }),
    ...(o.timeout ? { timeout: o.timeout } : {}),
    ...(o.maxStreamDuration ? { max_stream_duration: { max_stream_duration: o.maxStreamDuration } } : {}),
    ...(o.retry ? { retry_policy: retryPolicy(o.retry) } : {}),
    ...(o.autoHostRewrite ? { auto_host_rewrite: { value: true } } : {}),
  };
}

function retryPolicy(r: RetrySettings): EnvoyObject {
  return {
    retry_on: r.retryOn,
    ...(r.numRetries !== undefined ? { num_retries: { value: r.numRetries } } : {}),
    ...(r.perTryTimeout ? { per_try_timeout: r.perTryTimeout } : {}),
    ...(r.baseInterval ? { retry_back_off: { base_interval: r.baseInterval, ...(r.maxInterval ? { max_interval: r.maxInterval } : {}) } } : {}),
    ...(r.retriableStatusCodes?.length ? { retriable_status_codes: [...r.retriableStatusCodes] } : {}),
  };
}

/** A route (before the catch-all one) that only requests with matching headers take, with per-filter config. */
export interface HeaderRoute {
  readonly headers: readonly EnvoyObject[];
  readonly action: EnvoyObject;
  readonly typedPerFilterConfig?: Readonly<Record<string, AnyValue>>;
}

export interface RouteConfigurationExtras {
  /** Tried in order before the catch-all route. */
  readonly headerRoutes?: readonly HeaderRoute[];
  /** Request headers set on every request (an existing header of the same name is replaced). */
  readonly setRequestHeaders?: Readonly<Record<string, string>>;
  readonly removeRequestHeaders?: readonly string[];
}

/** A route configuration with one catch-all virtual host (and optionally header-matched routes before it). */
export function routeConfiguration(name: string, virtualHostName: string, action: EnvoyObject, extras: RouteConfigurationExtras = {}): EnvoyObject {
  const headerRoutes = (extras.headerRoutes ?? []).map((r) => ({
    match: { prefix: '/', headers: r.headers },
    route: r.action,
    ...(r.typedPerFilterConfig ? { typed_per_filter_config: r.typedPerFilterConfig } : {}),
  }));
  const set = Object.entries(extras.setRequestHeaders ?? {});
  return {
    name,
    virtual_hosts: [{ name: virtualHostName, domains: ['*'], routes: [...headerRoutes, { match: { prefix: '/' }, route: action }] }],
    ...(set.length ? { request_headers_to_add: set.map(([key, value]) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })) } : {}),
    ...(extras.removeRequestHeaders?.length ? { request_headers_to_remove: [...extras.removeRequestHeaders] } : {}),
  };
}
