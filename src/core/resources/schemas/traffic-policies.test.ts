import { describe, expect, it } from 'vitest';
import { validateTrafficLog } from './traffic-log.js';
import { validateTrafficPermission } from './traffic-permission.js';
import { validateTrafficTrace } from './traffic-trace.js';
import { violationsOf } from './violations-of.js';

const all = [{ match: { 'kuma.io/service': '*' } }];

describe('TrafficPermission', () => {
  it('accepts allow-all and refuses a conf (TrafficPermission has none)', () => {
    expect(validateTrafficPermission({ sources: all, destinations: all }, { name: 'allow-all-default', mesh: 'default' })).toEqual({ sources: all, destinations: all });
    expect(violationsOf(validateTrafficPermission, { sources: all, destinations: all, conf: { x: 1 } })).toEqual([{ field: 'conf', message: 'unknown field' }]);
  });

  it('requires sources and destinations with a service', () => {
    expect(violationsOf(validateTrafficPermission, { destinations: [{ match: { env: 'prod' } }] })).toEqual([
      { field: 'sources', message: 'must have at least one element' },
      { field: 'destinations[0].match', message: 'mandatory tag "kuma.io/service" is missing' },
    ]);
  });

  it('reports a malformed selector list as a type error', () => {
    expect(violationsOf(validateTrafficPermission, { sources: { match: {} }, destinations: [{ match: 'web' }] })).toEqual([
      { field: 'sources', message: 'must be an array' },
      { field: 'destinations[0].match', message: 'must be an object' },
    ]);
  });
});

describe('TrafficLog', () => {
  it('accepts a log policy with and without a backend', () => {
    expect(violationsOf(validateTrafficLog, { sources: all, destinations: all, conf: { backend: 'file' } })).toEqual([]);
    expect(violationsOf(validateTrafficLog, { sources: all, destinations: all })).toEqual([]);
  });

  it('checks its selectors', () => {
    expect(violationsOf(validateTrafficLog, { sources: all, destinations: [] })).toEqual([{ field: 'destinations', message: 'must have at least one element' }]);
  });
});

describe('TrafficTrace', () => {
  it('uses selectors', () => {
    expect(violationsOf(validateTrafficTrace, { selectors: all, conf: { backend: 'zipkin' } })).toEqual([]);
    expect(violationsOf(validateTrafficTrace, { sources: all })).toEqual([
      { field: 'sources', message: 'unknown field' },
      { field: 'selectors', message: 'must have at least one element' },
    ]);
    expect(violationsOf(validateTrafficTrace, { selectors: [{ match: { version: '*' } }] })).toEqual([
      { field: 'selectors[0].match', message: 'mandatory tag "kuma.io/service" is missing' },
    ]);
  });
});
