import { describe, expect, it } from 'vitest';
import { validateHealthCheck } from './health-check.js';
import { violationsOf } from './violations-of.js';

const selectors = { sources: [{ match: { 'kuma.io/service': 'web' } }], destinations: [{ match: { 'kuma.io/service': 'backend' } }] };

describe('HealthCheck', () => {
  it('accepts the Kuma docs health check', () => {
    const spec = {
      ...selectors,
      conf: {
        interval: '10s',
        timeout: '2s',
        unhealthyThreshold: 3,
        healthyThreshold: 1,
        initialJitter: '5s',
        intervalJitter: '6s',
        intervalJitterPercent: 10,
        healthyPanicThreshold: 60,
        failTrafficOnPanic: true,
        eventLogPath: '/tmp/health-check.log',
        alwaysLogHealthCheckFailures: true,
        noTrafficInterval: '60s',
        http: { path: '/health', requestHeadersToAdd: [{ append: false, header: { key: 'Content-Type', value: 'application/json' } }], expectedStatuses: [200, 201] },
        reuseConnection: false,
      },
    };
    expect(validateHealthCheck(spec, { name: 'hc', mesh: 'default' })).toEqual(spec);
    expect(violationsOf(validateHealthCheck, { ...selectors, conf: { interval: '1s', timeout: '1s', unhealthyThreshold: 1, healthyThreshold: 1, tcp: { send: 'Zm9v', receive: ['YmFy'] } } })).toEqual([]);
  });

  it('requires conf', () => {
    expect(violationsOf(validateHealthCheck, selectors)).toEqual([{ field: 'conf', message: 'has to be defined' }]);
  });

  it('requires interval, timeout and thresholds and checks ranges', () => {
    const spec = { ...selectors, conf: { interval: '0s', healthyPanicThreshold: 101, tcp: {}, http: { expectedStatuses: [99, 600], requestHeadersToAdd: [{}, { header: { value: 'x' } }] } } };
    expect(violationsOf(validateHealthCheck, spec)).toEqual([
      { field: 'conf.interval', message: 'must have a positive value' },
      { field: 'conf.timeout', message: 'must have a positive value' },
      { field: 'conf.unhealthyThreshold', message: 'must have a positive value' },
      { field: 'conf.healthyThreshold', message: 'must have a positive value' },
      { field: 'conf.healthyPanicThreshold', message: 'must be in range [0.0 - 100.0]' },
      { field: 'conf.http.path', message: 'has to be defined and cannot be empty' },
      { field: 'conf.http.expectedStatuses[0]', message: 'must be in range [100, 600)' },
      { field: 'conf.http.expectedStatuses[1]', message: 'must be in range [100, 600)' },
      { field: 'conf.http.requestHeadersToAdd[0].header', message: 'has to be defined' },
      { field: 'conf.http.requestHeadersToAdd[1].header.key', message: 'cannot be empty' },
      { field: 'conf', message: 'http and tcp cannot be defined at the same time' },
    ]);
  });

  it('rejects invalid durations and base64 payloads as type errors', () => {
    const spec = { ...selectors, conf: { interval: 'often', timeout: 5, unhealthyThreshold: 1, healthyThreshold: 1, tcp: { send: 'not base64!' } } };
    expect(violationsOf(validateHealthCheck, spec)).toEqual([
      { field: 'conf.interval', message: 'must be a valid duration, e.g. "5s", "250ms", "1m30s"' },
      { field: 'conf.timeout', message: 'must be a valid duration, e.g. "5s", "250ms", "1m30s"' },
      { field: 'conf.tcp.send', message: 'must be valid base64' },
    ]);
  });
});
