import { describe, expect, it } from 'vitest';
import type { Resource } from '../../core/resources/model.js';
import type { ConnectionPolicySpec, Tags } from '../../core/resources/specs.js';
import { matchConnectionPolicy, matchInboundPolicy, selectorRank } from './policy-match.js';

function policy(name: string, sources: Tags[], destinations: Tags[], creationTime = '2021-01-01T00:00:00Z'): Resource<ConnectionPolicySpec<unknown>> {
  return {
    type: 'TrafficRoute',
    meta: { name, mesh: 'default', version: 1, creationTime, modificationTime: creationTime },
    spec: { sources: sources.map((match) => ({ match })), destinations: destinations.map((match) => ({ match })) },
  };
}

const web = [{ 'kuma.io/service': 'web', version: 'v1', env: 'prod' }];
const backend = { 'kuma.io/service': 'backend' };

describe('selectorRank', () => {
  it('counts exact and wildcard matches and requires every selector tag', () => {
    expect(selectorRank({ 'kuma.io/service': 'web', env: '*' }, web[0]!)).toEqual({ exact: 1, wildcard: 1 });
    expect(selectorRank({ 'kuma.io/service': 'web', region: '*' }, web[0]!)).toBeUndefined();
    expect(selectorRank({ 'kuma.io/service': 'api' }, web[0]!)).toBeUndefined();
  });
});

describe('matchConnectionPolicy', () => {
  const all = policy('route-all', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': '*' }]);
  it('prefers more matched tags', () => {
    const specific = policy('web-v1', [{ 'kuma.io/service': '*', version: '*' }], [{ 'kuma.io/service': '*' }]);
    expect(matchConnectionPolicy([all, specific], web, backend)?.meta.name).toBe('web-v1');
  });
  it('prefers exact over wildcard at the same number of tags', () => {
    const exact = policy('exact', [{ 'kuma.io/service': 'web' }], [{ 'kuma.io/service': '*' }]);
    expect(matchConnectionPolicy([exact, all], web, backend)?.meta.name).toBe('exact');
  });
  it('sums source and destination ranks', () => {
    const dest = policy('to-backend', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': 'backend' }]);
    const src = policy('from-web-prod', [{ 'kuma.io/service': 'web', env: 'prod' }], [{ 'kuma.io/service': '*' }]);
    // 3 matched tags (2 exact) beat 2 matched tags (1 exact), wherever they are
    expect(matchConnectionPolicy([dest, src], web, backend)?.meta.name).toBe('from-web-prod');
    const srcWild = policy('from-any-env', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': '*' }]);
    // same total (2), more exact wins
    expect(matchConnectionPolicy([srcWild, dest], web, backend)?.meta.name).toBe('to-backend');
  });
  it('on a full tie the newer policy wins, then the name that sorts first', () => {
    const older = policy('a-older', [{ 'kuma.io/service': 'web' }], [{ 'kuma.io/service': 'backend' }], '2021-01-01T00:00:00Z');
    const newer = policy('b-newer', [{ 'kuma.io/service': 'web' }], [{ 'kuma.io/service': 'backend' }], '2021-02-01T00:00:00Z');
    expect(matchConnectionPolicy([older, newer], web, backend)?.meta.name).toBe('b-newer');
    const twin = policy('a-twin', [{ 'kuma.io/service': 'web' }], [{ 'kuma.io/service': 'backend' }], '2021-02-01T00:00:00Z');
    expect(matchConnectionPolicy([newer, twin], web, backend)?.meta.name).toBe('a-twin');
  });
  it('skips policies whose source or destination does not match', () => {
    const other = policy('other', [{ 'kuma.io/service': 'api' }], [{ 'kuma.io/service': '*' }]);
    const elsewhere = policy('elsewhere', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': 'db' }]);
    expect(matchConnectionPolicy([other, elsewhere], web, backend)).toBeUndefined();
  });
  it('matches any of the proxy inbounds as source', () => {
    const p = policy('from-metrics', [{ 'kuma.io/service': 'metrics' }], [{ 'kuma.io/service': '*' }]);
    expect(matchConnectionPolicy([p], [...web, { 'kuma.io/service': 'metrics' }], backend)?.meta.name).toBe('from-metrics');
  });
});

describe('matchInboundPolicy', () => {
  it('ranks by the destination selector against the inbound tags', () => {
    const all = policy('allow-all', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': '*' }]);
    const prod = policy('prod', [{ 'kuma.io/service': '*' }], [{ 'kuma.io/service': 'web', env: 'prod' }]);
    expect(matchInboundPolicy([all, prod], web[0]!)?.meta.name).toBe('prod');
    expect(matchInboundPolicy([prod], { 'kuma.io/service': 'web' })).toBeUndefined();
  });
});
