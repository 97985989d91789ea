import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { inboundHttpPolicies, noEffectNotes, type FaultInjectionPolicy, type RateLimitPolicy } from './inbound-http-policies.js';
import { TYPE_URLS } from '../resource.js';
import { buildMeshSnapshot, generateSidecarParts, type MeshSnapshot } from './index.js';
import { typedInputs } from '../../../test/helpers/generator-fixtures.js';

const T = '2021-01-01T00:00:00Z';
function res<S>(type: ResourceTypeName, name: string, spec: S, creationTime = T): Resource<S> {
  return { type, meta: { name, mesh: 'default', version: 1, creationTime, modificationTime: creationTime }, spec };
}
const rl = (name: string, sources: Record<string, string>[], destination: Record<string, string>, requests = 1, creationTime = T): RateLimitPolicy =>
  res('RateLimit', name, { sources: sources.map((match) => ({ match })), destinations: [{ match: destination }], conf: { http: { requests, interval: '1s' } } }, creationTime);
const fi = (name: string, destination: Record<string, string>): FaultInjectionPolicy =>
  res('FaultInjection', name, { sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: destination }], conf: { abort: { httpStatus: 500, percentage: 1 } } });
const dataplane = (name: string, inbound: Record<string, string>[]): Resource<never> =>
  res('Dataplane', name, { networking: { address: '10.0.0.1', inbound: inbound.map((tags, i) => ({ port: 9000 + i, tags })) } } as never);

describe('FaultInjection and RateLimit on an inbound', () => {
  const http = { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' };

  it('gives one rate limit route per source, most specific first, ties to the policy created later', () => {
    const policies = [
      rl('a-any', [{ 'kuma.io/service': '*' }], { 'kuma.io/service': 'backend' }, 100),
      rl('b-web-or-jobs', [{ 'kuma.io/service': 'web', version: 'v1' }, { 'kuma.io/service': 'jobs' }], { 'kuma.io/service': 'backend' }, 5),
      rl('c-jobs-later', [{ 'kuma.io/service': 'jobs' }], { 'kuma.io/service': 'backend' }, 7, '2021-01-02T00:00:00Z'),
      rl('d-elsewhere', [{ 'kuma.io/service': '*' }], { 'kuma.io/service': 'other' }, 9),
    ];
    const p = inboundHttpPolicies([], policies, http);
    expect(p?.rateLimits.map((r) => [r.sources[0]?.match, r.settings.requests])).toEqual([
      [{ 'kuma.io/service': 'web', version: 'v1' }, 5],
      [{ 'kuma.io/service': 'jobs' }, 7],
      [{ 'kuma.io/service': 'jobs' }, 5],
      [{ 'kuma.io/service': '*' }, 100],
    ]);
    expect(p?.faults).toEqual([]);
  });

  it('puts nothing on a TCP inbound, and says so for each policy that selects one', () => {
    const tcp = { 'kuma.io/service': 'db' };
    const limit = rl('db-limit', [{ 'kuma.io/service': '*' }], { 'kuma.io/service': 'db' });
    const fault = fi('db-fault', { 'kuma.io/service': 'db', 'kuma.io/protocol': 'http' });
    expect(inboundHttpPolicies([fault], [limit], tcp)).toBeNull();
    const notes = noEffectNotes([dataplane('db-1', [tcp, http])], [fault, fi('backend-fault', http)], [limit]);
    expect(notes.map((n) => [n.type, n.policy, n.dataplane, n.inbound])).toEqual([
      ['FaultInjection', 'db-fault', 'db-1', 'inbound:10.0.0.1:9000'],
      ['RateLimit', 'db-limit', 'db-1', 'inbound:10.0.0.1:9000'],
    ]);
    expect(notes[0]?.reason).toContain('speaks tcp');
  });
});

describe('x-kuma-tags on outbound routes', () => {
  const client = (name: string, service: string): Resource =>
    res('Dataplane', name, {
      networking: {
        address: '10.0.0.9',
        inbound: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
        outbound: [
          { port: 10001, tags: { 'kuma.io/service': 'backend' } },
          { port: 10002, tags: { 'kuma.io/service': 'other' } },
        ],
      },
    });
  const server = (name: string, service: string): Resource =>
    res('Dataplane', name, { networking: { address: '10.0.1.1', inbound: [{ port: 9090, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }] } });
  const snapshot = (limits: RateLimitPolicy[]): MeshSnapshot =>
    buildMeshSnapshot(typedInputs({
      mesh: res('Mesh', 'default', {}),
      dataplanes: [client('web-1', 'web'), client('web-2', 'web'), client('jobs-1', 'jobs'), server('backend-1', 'backend'), server('other-1', 'other')],
      policies: new Map<ResourceTypeName, Resource[]>([
        ['TrafficRoute', [res('TrafficRoute', 'route-all', { sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }] })]],
        ['RateLimit', limits],
      ]),
      externalServices: [],
      zoneIngresses: [],
      vips: new Map(),
    }));
  const header = (parts: ReturnType<typeof generateSidecarParts>, route: string): unknown => {
    const r = parts.shared.get(TYPE_URLS.routeConfiguration, route) ?? parts.tagged.get(TYPE_URLS.routeConfiguration, route);
    return r && Buffer.from(r.bytes).includes('x-kuma-tags');
  };

  it('are only on routes to services a FaultInjection or RateLimit selects, built once per tag set', () => {
    const none = snapshot([]);
    const [web1, jobs1] = [generateSidecarParts(none, 'web-1'), generateSidecarParts(none, 'jobs-1')];
    expect(web1.shared).toBe(jobs1.shared);
    expect([...web1.tagged.types()]).toEqual([]);
    expect(header(web1, 'outbound:backend')).toBe(false);

    const limited = snapshot([rl('backend-limit', [{ 'kuma.io/service': 'web' }], { 'kuma.io/service': 'backend' })]);
    const [a, b, c] = [generateSidecarParts(limited, 'web-1'), generateSidecarParts(limited, 'web-2'), generateSidecarParts(limited, 'jobs-1')];
    // clusters, listeners, endpoints and the untagged route stay shared by every client
    expect(a.shared).toBe(c.shared);
    expect(a.shared.get(TYPE_URLS.routeConfiguration, 'outbound:backend')).toBeUndefined();
    expect(header(a, 'outbound:other')).toBe(false);
    // the route to backend carries each proxy's tags: one group per tag set
    expect(header(a, 'outbound:backend')).toBe(true);
    expect(a.tagged).toBe(b.tagged);
    expect(a.tagged).not.toBe(c.tagged);
    expect(a.tagged.get(TYPE_URLS.routeConfiguration, 'outbound:backend')).not.toBe(c.tagged.get(TYPE_URLS.routeConfiguration, 'outbound:backend'));
  });
});

describe('no-effect log', () => {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    }),
  );

  const snapshot = (dataplanes: Resource[], previous?: MeshSnapshot): MeshSnapshot =>
    buildMeshSnapshot(
      typedInputs({
        mesh: res('Mesh', 'default', {}),
        dataplanes,
        policies: new Map<ResourceTypeName, Resource[]>([['RateLimit', [rl('db-limit', [{ 'kuma.io/service': '*' }], { 'kuma.io/service': '*' })]]]),
        externalServices: [],
        zoneIngresses: [],
        vips: new Map(),
        log,
      }),
      previous,
    );

  it('warns once per data plane, policy and inbound, naming them and the mesh', async () => {
    const first = snapshot([dataplane('db-1', [{ 'kuma.io/service': 'db' }])]);
    const second = snapshot([dataplane('db-1', [{ 'kuma.io/service': 'db' }]), dataplane('db-2', [{ 'kuma.io/service': 'db' }])], first);
    snapshot([dataplane('db-1', [{ 'kuma.io/service': 'db' }]), dataplane('db-2', [{ 'kuma.io/service': 'db' }])], second);
    await new Promise((r) => setTimeout(r, 50));
    const notes = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l['msg']).includes('has no effect'));
    expect(notes.map((l) => [l['level'], l['mesh'], l['dataplane'], l['policyType'], l['policy'], l['inbound']])).toEqual([
      [40, 'default', 'db-1', 'RateLimit', 'db-limit', 'inbound:10.0.0.1:9000'],
      [40, 'default', 'db-2', 'RateLimit', 'db-limit', 'inbound:10.0.0.1:9000'],
    ]);
  });
});
