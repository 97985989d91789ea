import { describe, expect, it } from 'vitest';
import { validateTimeout } from './timeout.js';
import { violationsOf } from './violations-of.js';

const all = [{ match: { 'kuma.io/service': '*' } }];

describe('Timeout', () => {
  it('accepts the default timeout-all', () => {
    const spec = {
      sources: all,
      destinations: all,
      conf: { connectTimeout: '5s', tcp: { idleTimeout: '1h' }, http: { requestTimeout: '15s', idleTimeout: '1h' }, grpc: { streamIdleTimeout: '5m', maxStreamDuration: '30m' } },
    };
    expect(validateTimeout(spec, { name: 'timeout-all-default', mesh: 'default' })).toEqual(spec);
  });

  it('checks sections and positive durations', () => {
    const spec = { sources: all, destinations: [{ match: { 'kuma.io/service': 'web' } }], conf: { connectTimeout: '0', tcp: {}, http: { requestTimeout: '0s' }, grpc: {} } };
    expect(violationsOf(validateTimeout, spec)).toEqual([
      { field: 'conf.connectTimeout', message: 'has to be greater than 0 when defined' },
      { field: 'conf.tcp', message: 'at least one timeout in section has to be defined' },
      { field: 'conf.http.requestTimeout', message: 'has to be greater than 0 when defined' },
      { field: 'conf.grpc', message: 'at least one timeout in section has to be defined' },
    ]);
  });

  it('requires conf and valid durations', () => {
    expect(violationsOf(validateTimeout, { sources: all, destinations: all })).toEqual([{ field: 'conf', message: 'has to be defined' }]);
    expect(violationsOf(validateTimeout, { sources: all, destinations: all, conf: { connectTimeout: '5 s' } })).toEqual([
      { field: 'conf.connectTimeout', message: 'must be a valid duration, e.g. "5s", "250ms", "1m30s"' },
    ]);
  });
});
