import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.js';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { toPlain, validateSet } from '../../../test/helpers/envoy-validate.js';
import { TYPE_URLS } from '../resource.js';
import { buildMeshSnapshot, generateIngress, generateProxyless, generateProxylessParts, generateSidecar, ingressOfDataplane, type MeshSnapshot } from './index.js';
import { typedInputs } from '../../../test/helpers/generator-fixtures.js';
import { CanonicalKeys } from './canonical.js';
import { meshSourceRanks } from './outbound-plan.js';

const T = '2021-01-01T00:00:00Z';
function res(type: ResourceTypeName, name: string, spec: Record<string, unknown>, mesh = 'default'): Resource {
  return { type, meta: { name, mesh, version: 1, creationTime: T, modificationTime: T }, spec };
}
const any = [{ match: { 'kuma.io/service': '*' } }];

interface Variant {
  /** route-all's load balancer (changes every outbound cluster). */
  readonly loadBalancer?: Record<string, unknown>;
  /** A second backend instance (changes backend's endpoints). */
  readonly backend2?: boolean;
  /** A Timeout for every connection (changes routes and listeners, not clusters' endpoints). */
  readonly requestTimeout?: string;
  readonly previous?: MeshSnapshot;
}

function snapshot(variant: Variant = {}) {
  const web = (i: number) =>
    res('Dataplane', `web-${i}`, {
      networking: {
        address: `10.0.0.${i}`,
        inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }],
        outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
      },
    });
  return buildMeshSnapshot(typedInputs({
    mesh: res('Mesh', 'default', {}, ''),
    dataplanes: [
      web(1),
      web(2),
      res('Dataplane', 'backend-1', { networking: { address: '10.0.1.1', inbound: [{ port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] } }),
      ...(variant.backend2
        ? [res('Dataplane', 'backend-2', { networking: { address: '10.0.1.2', inbound: [{ port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] } })]
        : []),
      res('Dataplane', 'ingress-1', {
        networking: {
          address: '10.0.2.1',
          ingress: { availableServices: [{ tags: { 'kuma.io/service': 'backend' } }, { mesh: 'default', tags: { 'kuma.io/service': 'web' } }] },
          inbound: [{ port: 10001, tags: { 'kuma.io/service': 'ingress' } }],
        },
      }),
    ],
    policies: new Map<ResourceTypeName, Resource[]>([
      [
        'TrafficRoute',
        [
          res('TrafficRoute', 'route-all-default', {
            sources: any,
            destinations: any,
            conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }], ...(variant.loadBalancer ? { loadBalancer: variant.loadBalancer } : {}) },
          }),
        ],
      ],
      ...(variant.requestTimeout
        ? [['Timeout', [res('Timeout', 'timeout-all', { sources: any, destinations: any, conf: { connectTimeout: '5s', http: { requestTimeout: variant.requestTimeout } } })]] as [ResourceTypeName, Resource[]]]
        : []),
    ]),
    externalServices: [],
    zoneIngresses: [],
    vips: new Map(),
  }), variant.previous);
}

describe('resource sharing within a snapshot', () => {
  it('hands the same encoded cluster, endpoints, route and outbound listener to every proxy that needs them', () => {
    const snap = snapshot();
    const a = generateSidecar(snap, 'web-1');
    const b = generateSidecar(snap, 'web-2');
    const pick = (set: typeof a, type: string, name: string) => set.find((r) => r.typeUrl === type && r.name === name);
    for (const [type, name] of [
      [TYPE_URLS.cluster, 'backend'],
      [TYPE_URLS.clusterLoadAssignment, 'backend'],
      [TYPE_URLS.routeConfiguration, 'outbound:backend'],
      [TYPE_URLS.listener, 'outbound:127.0.0.1:10001'],
    ] as const) {
      expect(pick(a, type, name), name).toBeDefined();
      expect(pick(a, type, name)).toBe(pick(b, type, name));
    }
    // the inbound listeners differ (address) and so are distinct resources
    expect(pick(a, TYPE_URLS.listener, 'inbound:10.0.0.1:8080')).toBeDefined();
    expect(pick(b, TYPE_URLS.listener, 'inbound:10.0.0.1:8080')).toBeUndefined();
    // the proxyless catalog reuses the sidecar's endpoints
    const catalog = generateProxyless(snap, 'web-1');
    expect(pick(catalog, TYPE_URLS.clusterLoadAssignment, 'backend')).toBe(pick(a, TYPE_URLS.clusterLoadAssignment, 'backend'));
    // web-2 has the same tags, so the same policies: the same client resources (its server listeners differ)
    expect(pick(generateProxyless(snap, 'web-2'), TYPE_URLS.routeConfiguration, 'outbound:backend')).toBe(pick(catalog, TYPE_URLS.routeConfiguration, 'outbound:backend'));
    // ... held as one shared group, while each keeps its own server listeners
    const [p1, p2] = [generateProxylessParts(snap, 'web-1'), generateProxylessParts(snap, 'web-2')];
    expect(p1.shared).toBe(p2.shared);
    expect(p1.own.map((r) => r.name)).not.toEqual(p2.own.map((r) => r.name));
    expect(validateSet(catalog)).toEqual([]);
  });

  it('excludes ingress dataplanes from endpoints; they get the zone ingress config, sharing the endpoints sidecars get', () => {
    const snap = snapshot();
    expect(snap.services).toEqual(['backend', 'web']);
    // No sidecar config: the reconciler generates an ingress Dataplane with generateIngress, as a ZoneIngress.
    expect(generateSidecar(snap, 'ingress-1')).toEqual([]);
    const dp = snap.dataplanes.get('ingress-1');
    const ingress = dp && ingressOfDataplane(dp);
    expect(ingress).toEqual({
      address: '10.0.2.1',
      port: 10001,
      availableServices: [
        { mesh: 'default', tags: { 'kuma.io/service': 'backend' } },
        { mesh: 'default', tags: { 'kuma.io/service': 'web' } },
      ],
    });
    if (!ingress) return;
    const set = generateIngress(new Map([['default', snap]]), ingress);
    expect(validateSet(set)).toEqual([]);
    expect(set.map((r) => `${r.typeUrl.split('.').pop() ?? ''} ${r.name}`)).toEqual([
      'Cluster default:backend',
      'Cluster default:web',
      'ClusterLoadAssignment default:backend',
      'ClusterLoadAssignment default:web',
      'Listener inbound:10.0.2.1:10001',
    ]);
    // the ingress's endpoints are those of its mesh's own data planes (never itself), the ones sidecars get
    const endpoints = (r: (typeof set)[number] | undefined) => (r ? (toPlain(r) as { endpoints?: unknown }).endpoints : undefined);
    const viaIngress = endpoints(set.find((r) => r.typeUrl === TYPE_URLS.clusterLoadAssignment && r.name === 'default:backend'));
    expect(JSON.stringify(viaIngress)).toContain('10.0.1.1');
    expect(JSON.stringify(viaIngress)).not.toContain('10.0.2.1');
    expect(viaIngress).toEqual(endpoints(generateSidecar(snap, 'web-1').find((r) => r.typeUrl === TYPE_URLS.clusterLoadAssignment && r.name === 'backend')));
  });

  it("a source's ranks are computed once per source, frozen, and every list stands for itself only in the snapshot's own keys", () => {
    const snap = snapshot();
    const source = [{ 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' }];
    const ranks = meshSourceRanks(snap, source);
    expect(meshSourceRanks(snap, [{ ...source[0] }])).toBe(ranks);
    expect(Object.isFrozen(ranks) && Object.values(ranks).every((list) => Object.isFrozen(list))).toBe(true);
    const keys = new CanonicalKeys();
    // Policy indexes mean nothing in another snapshot: refused in keys compared across snapshots, whole or one list.
    expect(() => keys.of({ ranks })).toThrow(/snapshot-local/);
    expect(() => keys.of({ logs: ranks.trafficLogs })).toThrow(/snapshot-local/);
    // A spread copy keeps what it adds in the key (each list stands for itself, not the whole).
    expect(keys.of({ ...ranks, service: 'a' }, 'snapshot')).not.toBe(keys.of({ ...ranks, service: 'b' }, 'snapshot'));
  });

  it('throws NotFoundError for a dataplane not in the snapshot', () => {
    expect(() => generateSidecar(snapshot(), 'ghost')).toThrow(NotFoundError);
  });

  it('versions are content hashes: equal inputs give equal versions across snapshots', () => {
    const before = generateSidecar(snapshot(), 'web-1');
    const again = generateSidecar(snapshot(), 'web-1');
    expect(again.map((r) => r.version)).toEqual(before.map((r) => r.version));
  });
});

describe('resource reuse across snapshots', () => {
  type Set = ReturnType<typeof generateSidecar>;
  const pick = (set: Set, type: string, name: string) => {
    const r = set.find((x) => x.typeUrl === type && x.name === name);
    if (!r) throw new Error(`no ${name} of ${type}`);
    return r;
  };
  const inbound = (set: Set) => pick(set, TYPE_URLS.listener, 'inbound:10.0.0.1:8080');
  const cluster = (set: Set) => pick(set, TYPE_URLS.cluster, 'backend');
  const cla = (set: Set) => pick(set, TYPE_URLS.clusterLoadAssignment, 'backend');

  it('an unchanged resource keeps its EncodedResource (bytes, version); a changed one is encoded anew', () => {
    const first = snapshot();
    const before = generateSidecar(first, 'web-1');
    const second = snapshot({ previous: first, loadBalancer: { leastRequest: { choiceCount: 2 } } });
    const after = generateSidecar(second, 'web-1');
    expect(inbound(after)).toBe(inbound(before));
    expect(cla(after)).toBe(cla(before));
    // a cluster setting does not touch the outbound's route and listener
    expect(pick(after, TYPE_URLS.routeConfiguration, 'outbound:backend')).toBe(pick(before, TYPE_URLS.routeConfiguration, 'outbound:backend'));
    expect(pick(after, TYPE_URLS.listener, 'outbound:127.0.0.1:10001')).toBe(pick(before, TYPE_URLS.listener, 'outbound:127.0.0.1:10001'));
    expect(cluster(after)).not.toBe(cluster(before));
    expect(cluster(after).version).not.toBe(cluster(before).version);
    expect(Buffer.from(cluster(after).bytes).equals(Buffer.from(cluster(before).bytes))).toBe(false);
    // exactly what a snapshot built from scratch generates
    expect(after).toEqual(generateSidecar(snapshot({ loadBalancer: { leastRequest: { choiceCount: 2 } } }), 'web-1'));
  });

  it('endpoints are part of the key: a load assignment whose endpoints changed is not reused', () => {
    const first = snapshot();
    const before = generateSidecar(first, 'web-1');
    const after = generateSidecar(snapshot({ previous: first, backend2: true }), 'web-1');
    expect(cla(after)).not.toBe(cla(before));
    expect(cla(after).version).not.toBe(cla(before).version);
    expect(after).toEqual(generateSidecar(snapshot({ backend2: true }), 'web-1'));
    expect(cluster(after)).toBe(cluster(before));
  });

  it('a policy of the route (Timeout) rebuilds the route, and what is reused equals a build from scratch', () => {
    const first = snapshot({ requestTimeout: '15s' });
    const before = generateSidecar(first, 'web-1');
    const after = generateSidecar(snapshot({ previous: first, requestTimeout: '3s' }), 'web-1');
    const route = (set: Set) => pick(set, TYPE_URLS.routeConfiguration, 'outbound:backend');
    expect(route(after)).not.toBe(route(before));
    expect(route(after).version).not.toBe(route(before).version);
    expect(cluster(after)).toBe(cluster(before));
    expect(after).toEqual(generateSidecar(snapshot({ requestTimeout: '3s' }), 'web-1'));
  });

  it('keeps one generation: what the latest snapshot did not use is evicted', () => {
    const a = snapshot();
    const fromA = generateSidecar(a, 'web-1');
    const b = snapshot({ previous: a });
    const fromB = generateSidecar(b, 'web-2');
    expect(cla(fromB)).toBe(cla(fromA));
    const c = snapshot({ previous: b });
    const fromC = generateSidecar(c, 'web-1');
    // web-1's inbound listener was not used by b: encoded again (same content), while the shared ones carry on
    expect(inbound(fromC)).not.toBe(inbound(fromA));
    expect(inbound(fromC)).toEqual(inbound(fromA));
    expect(cla(fromC)).toBe(cla(fromA));
  });

  it('reuses the proxyless catalog resources too', () => {
    const first = snapshot();
    const before = generateProxyless(first, 'web-1');
    const after = generateProxyless(snapshot({ previous: first }), 'web-1');
    expect(after).not.toBe(before);
    after.forEach((r, i) => expect(r).toBe(before[i]));
  });
});
