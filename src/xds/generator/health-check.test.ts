import { describe, expect, it } from 'vitest';
import { validateHealthCheck } from '../../core/resources/schemas/health-check.js';
import { clusterHealthCheck } from './health-check.js';

const base = { interval: '10s', timeout: '1s', unhealthyThreshold: 2, healthyThreshold: 1 };

describe('clusterHealthCheck', () => {
  it('maps every field the HealthCheck schema accepts to an Envoy field (none is dropped)', () => {
    // One conf with every field of the schema: each must show up in the generated check or common_lb_config.
    const conf = {
      ...base,
      initialJitter: '1s',
      intervalJitter: '2s',
      intervalJitterPercent: 5,
      healthyPanicThreshold: 50,
      failTrafficOnPanic: true,
      eventLogPath: '/tmp/hc.log',
      alwaysLogHealthCheckFailures: true,
      noTrafficInterval: '30s',
      reuseConnection: false,
      http: { path: '/h', requestHeadersToAdd: [{ header: { key: 'k', value: 'v' }, append: true }], expectedStatuses: [200] },
    };
    const spec = { sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }], conf };
    expect(validateHealthCheck(spec, { name: 'hc', mesh: 'default' })).toEqual(spec);
    const out = clusterHealthCheck(conf, 'http');
    expect(out?.commonLbConfig).toEqual({ healthy_panic_threshold: { value: 50 }, zone_aware_lb_config: { fail_traffic_on_panic: true } });
    expect(Object.keys(out?.check ?? {}).sort()).toEqual(
      [
        'always_log_health_check_failures',
        'event_log_path',
        'healthy_threshold',
        'http_health_check',
        'initial_jitter',
        'interval',
        'interval_jitter',
        'interval_jitter_percent',
        'no_traffic_interval',
        'reuse_connection',
        'timeout',
        'unhealthy_threshold',
      ].sort(),
    );
    expect(out?.check['http_health_check']).toEqual({ path: '/h', request_headers_to_add: [{ header: { key: 'k', value: 'v' }, append: { value: true } }], expected_statuses: [{ start: 200, end: 201 }] });
  });

  it('hex-encodes tcp payloads and leaves out empty ones (Envoy requires non-empty text)', () => {
    expect(clusterHealthCheck({ ...base, tcp: { send: '', receive: ['', 'AAH/'] } }, 'tcp')?.check['tcp_health_check']).toEqual({ receive: [{ text: '0001ff' }] });
    expect(clusterHealthCheck({ ...base, tcp: {} }, 'tcp')?.check['tcp_health_check']).toEqual({});
    expect(clusterHealthCheck(base, 'grpc')?.check['tcp_health_check']).toEqual({});
  });

  it('uses the HTTP/2 codec towards http2 and grpc upstreams only', () => {
    const codec = (p: 'http' | 'http2' | 'grpc' | 'tcp') => (clusterHealthCheck({ ...base, http: { path: '/' } }, p)?.check['http_health_check'] as Record<string, unknown>)['codec_client_type'];
    expect([codec('http'), codec('tcp'), codec('http2'), codec('grpc')]).toEqual([undefined, undefined, 'HTTP2', 'HTTP2']);
  });

  it('gives nothing without a positive interval and timeout, and no common_lb_config without panic settings', () => {
    expect(clusterHealthCheck(undefined, 'http')).toBeUndefined();
    expect(clusterHealthCheck({ ...base, interval: '0s' }, 'http')).toBeUndefined();
    expect(clusterHealthCheck({ ...base, timeout: undefined }, 'http')).toBeUndefined();
    expect(clusterHealthCheck({ ...base, failTrafficOnPanic: false }, 'http')?.commonLbConfig).toBeUndefined();
    expect(clusterHealthCheck({ ...base, healthyPanicThreshold: 0 }, 'http')?.commonLbConfig).toEqual({ healthy_panic_threshold: { value: 0 } });
  });
});
