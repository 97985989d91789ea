import { describe, expect, it } from 'vitest';
import { TYPE_URLS, type EncodedResource, type TypeUrl } from '../resource.js';
import { ResourceSet } from './resource-set.js';

const r = (typeUrl: TypeUrl, name: string, version = '1'): EncodedResource => ({ typeUrl, name, version, bytes: new Uint8Array() });

describe('ResourceSet', () => {
  it('outputs in push order, then by name (code-unit order), keeping the first resource of a (type, name)', () => {
    const set = new ResourceSet();
    const input = [
      r(TYPE_URLS.routeConfiguration, 'outbound:b'),
      r(TYPE_URLS.listener, 'outbound:127.0.0.1:10002'),
      r(TYPE_URLS.cluster, 'b'),
      r(TYPE_URLS.cluster, 'B'),
      r(TYPE_URLS.clusterLoadAssignment, 'b'),
      r(TYPE_URLS.listener, 'inbound:10.0.0.1:8080'),
      r(TYPE_URLS.cluster, 'a'),
      r(TYPE_URLS.secret, 'cert'),
      r(TYPE_URLS.cluster, 'b', 'second'),
      r(TYPE_URLS.listener, 'b'),
    ];
    for (const x of input) set.add(x);
    const out = set.toArray();
    expect(out.map((x) => `${x.typeUrl.split('.').pop()}/${x.name}`)).toEqual([
      'Secret/cert',
      'Cluster/B',
      'Cluster/a',
      'Cluster/b',
      'ClusterLoadAssignment/b',
      'Listener/b',
      'Listener/inbound:10.0.0.1:8080',
      'Listener/outbound:127.0.0.1:10002',
      'RouteConfiguration/outbound:b',
    ]);
    expect(out.find((x) => x.typeUrl === TYPE_URLS.cluster && x.name === 'b')?.version).toBe('1');
    expect(set.has(TYPE_URLS.cluster, 'B')).toBe(true);
    expect(set.has(TYPE_URLS.routeConfiguration, 'b')).toBe(false);
  });
});
