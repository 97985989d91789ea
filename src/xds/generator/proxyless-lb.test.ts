import { describe, expect, it } from 'vitest';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { validateSet } from '../../../test/helpers/envoy-validate.js';
import { decodeResource } from '../../../test/helpers/ads-client.js';
import { TYPE_URLS } from '../resource.js';
import { buildMeshSnapshot, generateProxylessParts, proxylessCapabilities, proxylessLbNotes, type ProxylessClient } from './index.js';
import { proxylessLb } from './proxyless-lb.js';
import { typedInputs } from '../../../test/helpers/generator-fixtures.js';

const T = '2021-01-01T00:00:00Z';
const res = (type: ResourceTypeName, name: string, spec: Record<string, unknown>, mesh = 'default'): Resource => ({ type, meta: { name, mesh, version: 1, creationTime: T, modificationTime: T }, spec });
const any = [{ match: { 'kuma.io/service': '*' } }];

const JS: ProxylessClient = { name: 'gRPC Node Pure JS', version: '1.14.1' };
const CORE_151: ProxylessClient = { name: 'gRPC C-core linux Python', version: 'C-core 29.0.0 Python 1.51.1' };
const CORE_152: ProxylessClient = { name: 'gRPC C-core linux Python', version: 'C-core 30.0.0 Python 1.52.0' };

/** Two proxyless clients of service `client` (same policy set) and a greeter backend; route-all's load balancer varies. */
function snapshot(loadBalancer?: Record<string, unknown>) {
  return buildMeshSnapshot(typedInputs({
    mesh: res('Mesh', 'default', {}, ''),
    dataplanes: [
      res('Dataplane', 'greeter-1', { networking: { address: '10.0.0.1', inbound: [{ port: 50051, tags: { 'kuma.io/service': 'greeter', 'kuma.io/protocol': 'grpc' } }] } }),
      res('Dataplane', 'client-js', { networking: { address: '127.0.0.1', gateway: { tags: { 'kuma.io/service': 'client' } } } }),
      res('Dataplane', 'client-py', { networking: { address: '127.0.0.1', gateway: { tags: { 'kuma.io/service': 'client' } } } }),
    ],
    policies: new Map<ResourceTypeName, Resource[]>([
      ['TrafficRoute', [res('TrafficRoute', 'route-all-default', { sources: any, destinations: any, conf: { destination: { 'kuma.io/service': '*' }, ...(loadBalancer ? { loadBalancer } : {}) } })]],
    ]),
    externalServices: [],
    zoneIngresses: [],
    vips: new Map(),
  }));
}

const greeterCluster = (parts: ReturnType<typeof generateProxylessParts>) => {
  const c = parts.shared.list(TYPE_URLS.cluster).find((r) => r.name === 'greeter');
  if (!c) throw new Error('no greeter cluster');
  return decodeResource({ type_url: c.typeUrl, value: c.bytes });
};

describe('proxyless load balancers per client kind', () => {
  it('tells clients by user agent: ring hash for grpc-js-xds 1.14 and C-core 1.52+, not for C-core 1.51, older grpc-js-xds or others', () => {
    expect(proxylessCapabilities(JS).ringHash).toBe(true);
    expect(proxylessCapabilities({ ...JS, version: '1.15.0' }).ringHash).toBe(true);
    expect(proxylessCapabilities({ ...JS, version: '1.13.2' }).ringHash).toBe(false);
    expect(proxylessCapabilities(CORE_151).ringHash).toBe(false);
    expect(proxylessCapabilities(CORE_152).ringHash).toBe(true);
    expect(proxylessCapabilities({ name: 'gRPC C-core linux Python', version: 'garbage' }).ringHash).toBe(false);
    expect(proxylessCapabilities({ name: 'gRPC Go', version: '1.60.0' })).toEqual({ label: 'gRPC Go 1.60.0', ringHash: false });
    expect(proxylessCapabilities(undefined).ringHash).toBe(false);
  });

  it('maps every Kuma load balancer to what the client implements, with the reason when it differs', () => {
    const js = proxylessCapabilities(JS);
    const core = proxylessCapabilities(CORE_151);
    expect(proxylessLb({ policy: 'ROUND_ROBIN' }, js)).toEqual({ lb: { policy: 'ROUND_ROBIN' } });
    expect(proxylessLb({ policy: 'RING_HASH', hashFunction: 'XX_HASH', minRingSize: 64 }, js)).toEqual({ lb: { policy: 'RING_HASH', hashFunction: 'XX_HASH', minRingSize: 64 } });
    expect(proxylessLb({ policy: 'RING_HASH', hashFunction: 'MURMUR_HASH_2', maxRingSize: 2 ** 32 - 1 }, js)).toEqual({
      lb: { policy: 'RING_HASH', hashFunction: 'XX_HASH', maxRingSize: 8388608 },
      reason: 'hashFunction MURMUR_HASH_2 is not supported by gRPC (XX_HASH used); ring sizes above 8388608 are refused by gRPC (capped)',
    });
    expect(proxylessLb({ policy: 'RING_HASH', hashFunction: 'XX_HASH' }, core)).toEqual({ lb: { policy: 'ROUND_ROBIN' }, reason: 'ringHash is not supported by this client' });
    for (const policy of ['LEAST_REQUEST', 'RANDOM', 'MAGLEV'] as const) {
      expect(proxylessLb({ policy }, js).lb, policy).toEqual({ policy: 'ROUND_ROBIN' });
      expect(proxylessLb({ policy }, core).lb, policy).toEqual({ policy: 'ROUND_ROBIN' });
    }
  });

  it('clients of different kinds share one catalog unless the load balancers of their policy set map differently', () => {
    for (const lb of [undefined, { roundRobin: {} }, { leastRequest: { choiceCount: 3 } }, { random: {} }]) {
      const snap = snapshot(lb);
      const [js, py, unknown] = [generateProxylessParts(snap, 'client-js', JS), generateProxylessParts(snap, 'client-py', CORE_151), generateProxylessParts(snap, 'client-py')];
      expect(js.shared, JSON.stringify(lb)).toBe(py.shared);
      expect(unknown.shared, JSON.stringify(lb)).toBe(py.shared);
      expect(greeterCluster(js)['lb_policy'] ?? 'ROUND_ROBIN', JSON.stringify(lb)).toBe('ROUND_ROBIN');
    }
    const snap = snapshot({ ringHash: { hashFunction: 'XX_HASH', minRingSize: 64, maxRingSize: 1024 } });
    const [js, py, js2, py152] = [
      generateProxylessParts(snap, 'client-js', JS),
      generateProxylessParts(snap, 'client-py', CORE_151),
      generateProxylessParts(snap, 'client-py', { ...JS, version: '1.14.7' }),
      generateProxylessParts(snap, 'client-js', CORE_152),
    ];
    expect(js.shared).not.toBe(py.shared);
    // the same output for another js version and for C-core 1.52: shared again
    expect(js2.shared).toBe(js.shared);
    expect(py152.shared).toBe(js.shared);
    expect(greeterCluster(js)).toMatchObject({ lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: '64' }, maximum_ring_size: { value: '1024' } } });
    expect(greeterCluster(py)['lb_policy'] ?? 'ROUND_ROBIN').toBe('ROUND_ROBIN');
    // only the clusters differ: the endpoints, routes and listeners are the same encoded resources
    for (const type of [TYPE_URLS.clusterLoadAssignment, TYPE_URLS.routeConfiguration, TYPE_URLS.listener]) {
      const names = js.shared.list(type).map((r) => r.name);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(py.shared.list(type).find((r) => r.name === name), name).toBe(js.shared.list(type).find((r) => r.name === name));
    }
    for (const p of [js, py]) expect(validateSet([...p.shared.types()].flatMap((t) => p.shared.list(t)))).toEqual([]);
  });

  it('notes name the TrafficRoute and service of every load balancer a client does not get as asked', () => {
    const ring = snapshot({ ringHash: { hashFunction: 'XX_HASH' } });
    expect(proxylessLbNotes(ring, 'client-js', JS)).toEqual([]);
    const note = { trafficRoute: 'route-all-default', requested: 'ringHash', applied: 'roundRobin', reason: 'ringHash is not supported by this client' };
    expect(proxylessLbNotes(ring, 'client-py', CORE_151)).toEqual([{ service: 'greeter', ...note }]);
    expect(proxylessLbNotes(snapshot({ leastRequest: {} }), 'client-js', JS).map((n) => [n.service, n.requested, n.applied])).toEqual([['greeter', 'leastRequest', 'roundRobin']]);
    expect(proxylessLbNotes(snapshot(), 'client-py', CORE_151)).toEqual([]);
  });
});
