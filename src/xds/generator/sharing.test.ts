import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.js';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { validateSet } from '../../../test/helpers/envoy-validate.js';
import { TYPE_URLS } from '../resource.js';
import { buildMeshSnapshot, generateProxyless, generateSidecar } from './index.js';

const T = '2021-01-01T00:00:00Z';
function res(type: ResourceTypeName, name: string, spec: Record<string, unknown>, mesh = 'default'): Resource {
  return { type, meta: { name, mesh, version: 1, creationTime: T, modificationTime: T }, spec };
}
const any = [{ match: { 'kuma.io/service': '*' } }];

function snapshot() {
  const web = (i: number) =>
    res('Dataplane', `web-${i}`, {
      networking: {
        address: `10.0.0.${i}`,
        inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }],
        outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
      },
    });
  return buildMeshSnapshot({
    mesh: res('Mesh', 'default', {}, ''),
    dataplanes: [
      web(1),
      web(2),
      res('Dataplane', 'backend-1', { networking: { address: '10.0.1.1', inbound: [{ port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] } }),
      res('Dataplane', 'ingress-1', {
        networking: { address: '10.0.2.1', ingress: {}, inbound: [{ port: 10001, tags: { 'kuma.io/service': 'ingress' } }] },
      }),
    ],
    policies: new Map([['TrafficRoute', [res('TrafficRoute', 'route-all-default', { sources: any, destinations: any, conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }] } })]]]),
    externalServices: [],
    zoneIngresses: [],
    vips: new Map(),
  });
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
    const catalog = generateProxyless(snap);
    expect(pick(catalog, TYPE_URLS.clusterLoadAssignment, 'backend')).toBe(pick(a, TYPE_URLS.clusterLoadAssignment, 'backend'));
    expect(generateProxyless(snap)).toBe(catalog);
    expect(validateSet(catalog)).toEqual([]);
  });

  it('excludes ingress dataplanes from endpoints and generates nothing for them', () => {
    const snap = snapshot();
    expect(snap.services).toEqual(['backend', 'web']);
    expect(generateSidecar(snap, 'ingress-1')).toEqual([]);
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
