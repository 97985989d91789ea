import type { HealthCheckConf } from '../../core/resources/specs.js';
import type { DurationValue } from '../envoy/duration.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { duration, type OutboundProtocol } from './policy-conf.js';
import { isHttp2 } from './protocol.js';

/** What a HealthCheck sets on a cluster: the active check, and the panic settings of `common_lb_config`. */
export interface ClusterHealthCheck {
  readonly check: EnvoyObject;
  readonly commonLbConfig?: EnvoyObject;
}

/**
 * A HealthCheck conf as Kuma 1.x maps it (pkg/xds/envoy/clusters/v3/health_check_configurer.go), every field:
 * interval, timeout, thresholds, initialJitter, intervalJitter, intervalJitterPercent, noTrafficInterval,
 * eventLogPath, alwaysLogHealthCheckFailures, reuseConnection on the check; `tcp` (send/receive, base64 in
 * the policy, hex `text` payloads for Envoy) or `http` (path, requestHeadersToAdd, expectedStatuses; HTTP/2
 * codec towards an http2/grpc upstream), a plain TCP connect check when neither is given;
 * healthyPanicThreshold -> `common_lb_config.healthy_panic_threshold`, failTrafficOnPanic ->
 * `common_lb_config.zone_aware_lb_config.fail_traffic_on_panic`.
 * Undefined when the conf lacks what Envoy requires (positive interval and timeout; the manager refuses such
 * policies, so this only guards against specs stored before validation was strict).
 */
export function clusterHealthCheck(conf: HealthCheckConf | undefined, protocol: OutboundProtocol): ClusterHealthCheck | undefined {
  const interval = positive(duration(conf?.interval));
  const timeout = positive(duration(conf?.timeout));
  if (!conf || !interval || !timeout) return undefined;
  const initialJitter = duration(conf.initialJitter);
  const intervalJitter = duration(conf.intervalJitter);
  const noTraffic = positive(duration(conf.noTrafficInterval));
  const check: EnvoyObject = {
    timeout,
    interval,
    ...(initialJitter ? { initial_jitter: initialJitter } : {}),
    ...(intervalJitter ? { interval_jitter: intervalJitter } : {}),
    ...(conf.intervalJitterPercent ? { interval_jitter_percent: conf.intervalJitterPercent } : {}),
    unhealthy_threshold: { value: conf.unhealthyThreshold ?? 1 },
    healthy_threshold: { value: conf.healthyThreshold ?? 1 },
    ...(conf.reuseConnection !== undefined ? { reuse_connection: { value: conf.reuseConnection } } : {}),
    ...(conf.http ? { http_health_check: httpCheck(conf.http, protocol) } : { tcp_health_check: tcpCheck(conf.tcp) }),
    ...(noTraffic ? { no_traffic_interval: noTraffic } : {}),
    // Kuma 1.x's field: still honoured by Envoy (deprecated in favour of the file event sink extension).
    ...(conf.eventLogPath ? { event_log_path: conf.eventLogPath } : {}),
    ...(conf.alwaysLogHealthCheckFailures ? { always_log_health_check_failures: true } : {}),
  };
  const panic = conf.healthyPanicThreshold;
  const commonLbConfig: EnvoyObject = {
    ...(panic !== undefined ? { healthy_panic_threshold: { value: panic } } : {}),
    ...(conf.failTrafficOnPanic ? { zone_aware_lb_config: { fail_traffic_on_panic: true } } : {}),
  };
  return { check, ...(Object.keys(commonLbConfig).length ? { commonLbConfig } : {}) };
}

function httpCheck(http: NonNullable<HealthCheckConf['http']>, protocol: OutboundProtocol): EnvoyObject {
  const headers = (http.requestHeadersToAdd ?? []).flatMap((h) =>
    h.header
      ? [
          {
            header: { key: h.header.key, ...(h.header.value ? { value: h.header.value } : {}) },
            // Kuma 1.x's BoolValue `append` (Envoy still honours it; `append_action` is its successor).
            ...(h.append !== undefined ? { append: { value: h.append } } : {}),
          },
        ]
      : [],
  );
  const statuses = http.expectedStatuses ?? [];
  return {
    path: http.path ?? '/',
    ...(headers.length ? { request_headers_to_add: headers } : {}),
    ...(statuses.length ? { expected_statuses: statuses.map((s) => ({ start: s, end: s + 1 })) } : {}),
    ...(isHttp2(protocol) ? { codec_client_type: 'HTTP2' } : {}),
  };
}

/** Base64 payloads of the policy as Envoy's hex `text` payloads (empty ones left out: Envoy requires a non-empty text). */
function tcpCheck(tcp: HealthCheckConf['tcp']): EnvoyObject {
  const hex = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('hex');
  const send = hex(tcp?.send);
  const receive = (tcp?.receive ?? []).map(hex).filter((h) => h.length > 0);
  return {
    ...(send ? { send: { text: send } } : {}),
    ...(receive.length ? { receive: receive.map((text) => ({ text })) } : {}),
  };
}

function positive(d: DurationValue | undefined): DurationValue | undefined {
  return d && (d.seconds > 0 || (d.nanos ?? 0) > 0) ? d : undefined;
}
