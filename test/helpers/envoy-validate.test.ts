import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { anyOf, encodeResource, type EnvoyObject } from '../../src/xds/envoy/encode.js';
import { TYPE_URLS, type EncodedResource } from '../../src/xds/resource.js';
import { toPlain, validateResource, validateSet } from './envoy-validate.js';

const ads = { ads: {}, resource_api_version: 'V3' };
const router = { name: 'envoy.filters.http.router', typed_config: anyOf('envoy.extensions.filters.http.router.v3.Router', {}) };

function cluster(name: string, extra: EnvoyObject = {}): EncodedResource {
  return encodeResource(TYPE_URLS.cluster, name, { name, type: 'EDS', eds_cluster_config: { eds_config: ads }, connect_timeout: { seconds: 1 }, ...extra });
}
function cla(name: string): EncodedResource {
  return encodeResource(TYPE_URLS.clusterLoadAssignment, name, { cluster_name: name, endpoints: [] });
}
function route(name: string, clusterName: string): EncodedResource {
  return encodeResource(TYPE_URLS.routeConfiguration, name, {
    name,
    virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: clusterName } }] }],
  });
}
function apiListener(name: string, hcm: EnvoyObject): EncodedResource {
  return encodeResource(TYPE_URLS.listener, name, {
    name,
    api_listener: { api_listener: anyOf('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', hcm) },
  });
}
const hcm = (routeName: string): EnvoyObject => ({ stat_prefix: 's', rds: { config_source: ads, route_config_name: routeName }, http_filters: [router] });

describe('validateResource', () => {
  it('accepts a valid cluster', () => {
    expect(validateResource(cluster('backend'))).toEqual([]);
  });

  it('reports string min_len, duration gt and enum defined_only', () => {
    const bad = encodeResource(TYPE_URLS.cluster, 'x', { name: '', type: 'EDS', connect_timeout: { seconds: 0 }, lb_policy: 42 });
    const v = validateResource(bad);
    expect(v).toContainEqual(expect.stringMatching(/\.name: length must be at least 1/));
    expect(v).toContainEqual(expect.stringMatching(/\.connect_timeout: 0ns out of range/));
    expect(v).toContainEqual(expect.stringMatching(/\.lb_policy: 42 is not a defined LbPolicy/));
  });

  it('reports a required oneof and a required message inside a nested Any', () => {
    const noRoute = apiListener('l', { stat_prefix: 's', http_filters: [router] });
    expect(validateResource(noRoute)).toContainEqual(expect.stringMatching(/<HttpConnectionManager>: one of route_specifier .* is required/));
    const noConfigSource = apiListener('l', { stat_prefix: 's', rds: { route_config_name: 'r' }, http_filters: [router] });
    expect(validateResource(noConfigSource)).toContainEqual(expect.stringMatching(/rds\.config_source: value is required/));
  });

  it('reports uint32 bounds on wrappers and repeated min_items', () => {
    const weighted = encodeResource(TYPE_URLS.routeConfiguration, 'r', {
      name: 'r',
      virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [] } } }] }],
    });
    expect(validateResource(weighted)).toContainEqual(expect.stringMatching(/weighted_clusters\.clusters: must have at least 1 items/));
    const noDomains = encodeResource(TYPE_URLS.routeConfiguration, 'r', { name: 'r', virtual_hosts: [{ name: 'vh', domains: [] }] });
    expect(validateResource(noDomains)).toContainEqual(expect.stringMatching(/domains: must have at least 1 items/));
    const weight = encodeResource(TYPE_URLS.clusterLoadAssignment, 'c', {
      cluster_name: 'c',
      endpoints: [{ load_balancing_weight: { value: 0 }, lb_endpoints: [] }],
    });
    expect(validateResource(weight)).toContainEqual(expect.stringMatching(/load_balancing_weight: 0 out of range/));
  });

  it('refuses bytes with fields the type does not define and Any of unknown types', () => {
    // field 1 (name) then field 9999, which Cluster does not define
    const bytes = protobuf.Writer.create().uint32((1 << 3) | 2).string('x').uint32((9999 << 3) | 0).uint32(1).finish();
    const asCluster: EncodedResource = { typeUrl: TYPE_URLS.cluster, name: 'x', version: 'v', bytes };
    expect(validateResource(asCluster)).toContainEqual(expect.stringMatching(/fields the type does not define/));
    const unknownAny = encodeResource(TYPE_URLS.listener, 'l', {
      name: 'l',
      api_listener: { api_listener: { type_url: 'type.googleapis.com/nope.Missing', value: new Uint8Array() } },
    });
    expect(validateResource(unknownAny)).toContainEqual(expect.stringMatching(/Any of unknown type/));
  });
});

describe('validateSet', () => {
  it('accepts a complete chain listener -> route -> cluster -> endpoints', () => {
    expect(validateSet([cluster('b'), cla('b'), apiListener('l', hcm('r')), route('r', 'b')])).toEqual([]);
  });

  it('reports each missing link', () => {
    expect(validateSet([apiListener('l', hcm('r'))])).toEqual(['Listener l refers to missing RouteConfiguration r']);
    expect(validateSet([route('r', 'b')])).toEqual(['RouteConfiguration r refers to missing Cluster b']);
    expect(validateSet([cluster('b')])).toEqual(['Cluster b refers to missing ClusterLoadAssignment b']);
    expect(validateSet([cluster('b', { eds_cluster_config: { eds_config: ads, service_name: 'other' } }), cla('b')])).toEqual([
      'Cluster b refers to missing ClusterLoadAssignment other',
    ]);
  });

  it('reports duplicates and resource names that differ from the message', () => {
    expect(validateSet([cla('b'), cla('b')])).toEqual(['duplicate ClusterLoadAssignment b']);
    const renamed = { ...cla('b'), name: 'c' };
    expect(validateSet([renamed])).toEqual(['ClusterLoadAssignment c: message name is "b"']);
  });
});

describe('toPlain', () => {
  it('shows Envoy-JSON style durations, wrappers and expanded Any', () => {
    const plain = toPlain(apiListener('l', hcm('r')));
    expect(plain).toMatchObject({
      name: 'l',
      api_listener: { api_listener: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager' } },
    });
    expect(toPlain(cluster('b'))).toMatchObject({ connect_timeout: '1s', type: 'EDS' });
  });
});
