import { describe, expect, it } from 'vitest';
import { validateRetry } from './retry.js';
import { violationsOf } from './violations-of.js';

const all = [{ match: { 'kuma.io/service': '*' } }];
const backOff = { baseInterval: '25ms', maxInterval: '250ms' };

describe('Retry', () => {
  it('accepts the default retry-all', () => {
    const spec = {
      sources: all,
      destinations: all,
      conf: {
        http: { numRetries: 5, perTryTimeout: '16s', backOff, retriableStatusCodes: [500, 504] },
        tcp: { maxConnectAttempts: 5 },
        grpc: { numRetries: 5, perTryTimeout: '16s', backOff, retryOn: ['cancelled', 'unavailable'] },
      },
    };
    expect(validateRetry(spec, { name: 'retry-all-default', mesh: 'default' })).toEqual(spec);
  });

  it('requires conf and a protocol section', () => {
    expect(violationsOf(validateRetry, { sources: all, destinations: all })).toEqual([{ field: 'conf', message: 'has to be defined' }]);
    expect(violationsOf(validateRetry, { sources: all, destinations: all, conf: {} })).toEqual([
      { field: 'conf', message: 'missing protocol [grpc|http|tcp] configuration' },
    ]);
  });

  it('checks each section', () => {
    const spec = {
      sources: all,
      destinations: all,
      conf: {
        http: { numRetries: 0, perTryTimeout: '0s', backOff: { maxInterval: '1s' }, retriableStatusCodes: [42] },
        grpc: { retryOn: ['cancelled', 'internal', 'cancelled'], backOff: { baseInterval: '1s', maxInterval: '0s' } },
        tcp: {},
      },
    };
    expect(violationsOf(validateRetry, spec)).toEqual([
      { field: 'conf.http.numRetries', message: 'has to be greater than 0 when defined' },
      { field: 'conf.http.perTryTimeout', message: 'has to be greater than 0 when defined' },
      { field: 'conf.http.backOff.baseInterval', message: 'has to be defined' },
      { field: 'conf.http.retriableStatusCodes[0]', message: 'must be in range [100, 599]' },
      { field: 'conf.grpc.backOff.maxInterval', message: 'has to be greater than 0 when defined' },
      { field: 'conf.grpc.retryOn', message: 'repeated value "cancelled" at indexes [0, 2]' },
      { field: 'conf.tcp.maxConnectAttempts', message: 'has to be greater than 0' },
    ]);
  });

  it('refuses an empty section and unknown retryOn values', () => {
    expect(violationsOf(validateRetry, { sources: all, destinations: all, conf: { http: {} } })).toEqual([{ field: 'conf.http', message: 'field cannot be empty' }]);
    expect(violationsOf(validateRetry, { sources: all, destinations: all, conf: { grpc: { retryOn: ['sometimes'] } } })).toEqual([
      { field: 'conf.grpc.retryOn[0]', message: 'has invalid value. Allowed values: cancelled, deadline_exceeded, internal, resource_exhausted, unavailable' },
    ]);
  });
});
