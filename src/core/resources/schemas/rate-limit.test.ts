import { describe, expect, it } from 'vitest';
import { validateRateLimit } from './rate-limit.js';
import { violationsOf } from './violations-of.js';

const sources = [{ match: { 'kuma.io/service': 'web' } }];
const destinations = [{ match: { 'kuma.io/service': 'backend' } }];

describe('RateLimit', () => {
  it('accepts the Kuma docs rate limit', () => {
    const spec = {
      sources,
      destinations,
      conf: { http: { requests: 5, interval: '10s', onRateLimit: { status: 423, headers: [{ key: 'x-kuma-rate-limited', value: 'true', append: true }] } } },
    };
    expect(validateRateLimit(spec, { name: 'rl', mesh: 'default' })).toEqual(spec);
  });

  it('requires conf.http with requests and interval', () => {
    expect(violationsOf(validateRateLimit, { sources, destinations })).toEqual([{ field: 'conf', message: 'must have conf' }]);
    expect(violationsOf(validateRateLimit, { sources, destinations, conf: {} })).toEqual([{ field: 'conf.http', message: 'has to be defined' }]);
    expect(violationsOf(validateRateLimit, { sources, destinations, conf: { http: { requests: 0, onRateLimit: { status: 99, headers: [{}] } } } })).toEqual([
      { field: 'conf.http.requests', message: 'has to be greater than 0' },
      { field: 'conf.http.interval', message: 'must have a positive value' },
      { field: 'conf.http.onRateLimit.status', message: 'http status code is incorrect' },
      { field: 'conf.http.onRateLimit.headers[0].key', message: 'key must be set' },
      { field: 'conf.http.onRateLimit.headers[0].value', message: 'value must be set' },
    ]);
  });

  it('needs tags on selectors but not necessarily a service', () => {
    const spec = { sources: [{ match: {} }], destinations: [{ match: { env: 'prod' } }], conf: { http: { requests: 1, interval: '1s' } } };
    expect(violationsOf(validateRateLimit, spec)).toEqual([{ field: 'sources[0].match', message: 'must have at least one tag' }]);
  });

  it('refuses what Envoy would NACK: a fill interval under 50 ms, a status Envoy does not define, more than 10 headers', () => {
    const headers = Array.from({ length: 11 }, (_, i) => ({ key: `x-${i}`, value: 'v' }));
    expect(violationsOf(validateRateLimit, { sources, destinations, conf: { http: { requests: 1, interval: '49ms', onRateLimit: { status: 430, headers } } } })).toEqual([
      { field: 'conf.http.interval', message: 'has to be at least 50ms' },
      { field: 'conf.http.onRateLimit.status', message: 'http status code is incorrect' },
      { field: 'conf.http.onRateLimit.headers', message: 'must have at most 10 headers' },
    ]);
    expect(violationsOf(validateRateLimit, { sources, destinations, conf: { http: { requests: 1, interval: '50ms', onRateLimit: { status: 429 } } } })).toEqual([]);
  });
});
