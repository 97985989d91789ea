import { describe, expect, it } from 'vitest';
import type { Resource } from '../core/resources/model.js';
import type { DataplaneSpec } from '../core/resources/specs.js';
import { dataplaneOverview, matchesFilter, parseDataplaneFilter } from './dataplane-overview.js';

const web: DataplaneSpec = {
  networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web-frontend', version: 'v1' } }] },
};
const gateway: DataplaneSpec = { networking: { address: '10.0.0.2', gateway: { tags: { 'kuma.io/service': 'edge' } } } };
const ingress: DataplaneSpec = {
  networking: { address: '10.0.0.3', ingress: { publicAddress: '1.2.3.4', publicPort: 10001 }, inbound: [{ port: 10001, tags: { 'kuma.io/service': 'ingress' } }] },
};
const filter = (s: string): ReturnType<typeof parseDataplaneFilter> => parseDataplaneFilter(new URLSearchParams(s));

describe('dataplane filters', () => {
  it('matches tags by containment on inbound or gateway tags, all given tags on one inbound', () => {
    expect(matchesFilter(web, filter('tag=kuma.io/service:web'))).toBe(true);
    expect(matchesFilter(web, filter('tag=kuma.io/service:web&tag=version:v1'))).toBe(true);
    expect(matchesFilter(web, filter('tag=kuma.io/service:web&tag=version:v2'))).toBe(false);
    expect(matchesFilter(web, filter('tag=team:web'))).toBe(false);
    expect(matchesFilter(gateway, filter('tag=kuma.io/service:edge'))).toBe(true);
  });

  it('ignores a tag filter without a colon', () => {
    expect(filter('tag=novalue').tags).toEqual({});
  });

  it('filters gateways and ingresses both ways', () => {
    expect([web, gateway, ingress].map((s) => matchesFilter(s, filter('gateway=true')))).toEqual([false, true, false]);
    expect([web, gateway, ingress].map((s) => matchesFilter(s, filter('gateway=false')))).toEqual([true, false, true]);
    expect([web, gateway, ingress].map((s) => matchesFilter(s, filter('ingress=true')))).toEqual([false, false, true]);
    expect(() => filter('ingress=maybe')).toThrow('Invalid ingress parameter');
  });
});

describe('dataplaneOverview', () => {
  const meta = { name: 'web-1', mesh: 'default', version: 1, creationTime: 'c', modificationTime: 'm' };
  it('joins the dataplane with its insight, or {} without one', () => {
    const dp: Resource = { type: 'Dataplane', meta, spec: { ...web } };
    const insight: Resource = { type: 'DataplaneInsight', meta, spec: { subscriptions: [{ id: 's1' }] } };
    expect(dataplaneOverview(dp, insight)).toEqual({
      type: 'DataplaneOverview',
      mesh: 'default',
      name: 'web-1',
      creationTime: 'c',
      modificationTime: 'm',
      dataplane: web,
      dataplaneInsight: { subscriptions: [{ id: 's1' }] },
    });
    expect(dataplaneOverview(dp, undefined)['dataplaneInsight']).toEqual({});
  });
});
