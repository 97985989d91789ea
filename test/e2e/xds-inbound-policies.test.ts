import { afterAll, describe, expect, it } from 'vitest';
import { toEnvoyJson } from '../../src/xds/envoy/envoy-json.js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';
import { AdsTestClient, CDS, EDS, LDS, RDS, ack, node, resourceNames, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { dataplaneToken } from '../helpers/tokens.js';

/**
 * FaultInjection and RateLimit act in the destination sidecar's inbound Envoy, which no proxyless client
 * goes through: proven over ADS against the built daemon, as the Envoy of that sidecar sees it.
 */
afterAll(stopAll);

type Json = Record<string, unknown>;

async function send(cp: CpProcess, method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<number> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  await res.text();
  return res.status;
}

const dataplane = (name: string, port: number, tags: Record<string, string>, outbound?: object[]) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '127.0.0.1', inbound: [{ port, servicePort: port + 1, tags }], ...(outbound ? { outbound } : {}) },
});

/** A response's resources as Envoy JSON (nested Anys decoded), by name. */
function byName(res: DiscoveryResponse): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const r of res.resources) {
    const json = toEnvoyJson(r.type_url, r.value);
    out.set(String(json['name']), json);
  }
  return out;
}

/** The HCM of an inbound listener: its HTTP filter names and its inline route configuration. */
function inboundHcm(listener: Json | undefined): { filters: string[]; routes: Json[]; removed: unknown } {
  const chains = (listener?.['filter_chains'] ?? []) as Json[];
  const filters = (chains[0]?.['filters'] ?? []) as Json[];
  const hcm = filters.find((f) => f['name'] === 'envoy.filters.network.http_connection_manager')?.['typed_config'] as Json;
  const routeConfig = hcm['route_config'] as Json;
  const vh = (routeConfig['virtual_hosts'] as Json[])[0] as Json;
  return { filters: (hcm['http_filters'] as Json[]).map((f) => String(f['name'])), routes: vh['routes'] as Json[], removed: routeConfig['request_headers_to_remove'] };
}

/** Takes (and ACKs) the stream's LDS pushes until `inbound`'s HTTP filters are `filters`; returns that push. */
async function inboundFiltersBecome(stream: TestStream<DiscoveryRequest, DiscoveryResponse>, inbound: string, filters: readonly string[]): Promise<DiscoveryResponse> {
  let last: DiscoveryResponse | undefined;
  await expect
    .poll(
      async () => {
        const lds = await stream.next(LDS, 20_000);
        last = lds;
        stream.send(ack(lds));
        return inboundHcm(byName(lds).get(inbound)).filters;
      },
      { timeout: 40_000 },
    )
    .toEqual(filters);
  return last!;
}

const FAULT = {
  type: 'FaultInjection',
  mesh: 'default',
  name: 'web-to-backend-fault',
  sources: [{ match: { 'kuma.io/service': 'web' } }],
  destinations: [{ match: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }],
  conf: { abort: { httpStatus: 503, percentage: 50 } },
};
const LIMIT = {
  type: 'RateLimit',
  mesh: 'default',
  name: 'web-to-backend-limit',
  sources: [{ match: { 'kuma.io/service': 'web' } }],
  destinations: [{ match: { 'kuma.io/service': 'backend' } }],
  conf: { http: { requests: 10, interval: '1s', onRateLimit: { status: 429, headers: [{ key: 'x-limited', value: 'yes' }] } } },
};

describe('FaultInjection and RateLimit over ADS on the built kuma-cp', () => {
  it('puts the fault and rate limit filters on the inbound after a PUT, takes them off after the DELETE; callers send x-kuma-tags', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    expect(await send(cp, 'PUT', '/meshes/default/dataplanes/backend-1', dataplane('backend-1', 9000, { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' }))).toBe(201);
    const web = dataplane('web-1', 9100, { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' }, [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }]);
    expect(await send(cp, 'PUT', '/meshes/default/dataplanes/web-1', web)).toBe(201);

    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const backend = client.sotw(await dataplaneToken(cp, { name: 'backend-1' }));
    backend.send({ type_url: LDS, node: node({ id: 'default.backend-1' }) });
    let lds = await backend.next(LDS, 30_000);
    backend.send(ack(lds));
    const inbound = 'inbound:127.0.0.1:9000';
    expect(inboundHcm(byName(lds).get(inbound))).toMatchObject({ filters: ['envoy.filters.http.router'], removed: ['x-kuma-tags'] });

    // web-1's route to backend: no x-kuma-tags while nothing needs it
    const caller = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    caller.send({ type_url: CDS, node: node({ id: 'default.web-1' }) });
    const cds = await caller.next(CDS, 30_000);
    caller.send(ack(cds)).send({ type_url: EDS, resource_names: resourceNames(cds) });
    caller.send(ack(await caller.next(EDS, 30_000), resourceNames(cds))).send({ type_url: RDS, resource_names: ['outbound:backend'] });
    let rds = await caller.next(RDS, 30_000);
    caller.send(ack(rds, ['outbound:backend']));
    expect(byName(rds).get('outbound:backend')?.['request_headers_to_add']).toBeUndefined();

    expect(await send(cp, 'PUT', '/meshes/default/fault-injections/web-to-backend-fault', FAULT)).toBe(201);
    expect(await send(cp, 'PUT', '/meshes/default/rate-limits/web-to-backend-limit', LIMIT)).toBe(201);
    lds = await inboundFiltersBecome(backend, inbound, ['envoy.filters.http.fault', 'envoy.filters.http.local_ratelimit', 'envoy.filters.http.router']);
    const limited = inboundHcm(byName(lds).get(inbound)).routes[0] as Json;
    expect(JSON.stringify(limited['match'])).toContain('x-kuma-tags');
    expect(limited['typed_per_filter_config']).toMatchObject({
      'envoy.filters.http.local_ratelimit': { token_bucket: { max_tokens: 10, fill_interval: '1s' }, status: { code: 'TooManyRequests' } },
    });
    rds = await caller.next(RDS, 20_000);
    caller.send(ack(rds, ['outbound:backend']));
    expect(byName(rds).get('outbound:backend')?.['request_headers_to_add']).toEqual([
      { header: { key: 'x-kuma-tags', value: '&kuma.io/protocol=http&&kuma.io/service=web&' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ]);

    expect(await send(cp, 'DELETE', '/meshes/default/fault-injections/web-to-backend-fault')).toBe(200);
    expect(await send(cp, 'DELETE', '/meshes/default/rate-limits/web-to-backend-limit')).toBe(200);
    await inboundFiltersBecome(backend, inbound, ['envoy.filters.http.router']);
    backend.close();
    caller.close();
    client.close();
  }, 120_000);

  it('says when a RateLimit selects a TCP inbound: a warning once, and noEffect in the matched policies', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    expect(await send(cp, 'PUT', '/meshes/default/dataplanes/db-1', dataplane('db-1', 5432, { 'kuma.io/service': 'db' }))).toBe(201);
    // the mesh's configuration is generated while one of its proxies is connected
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const db = client.sotw(await dataplaneToken(cp, { name: 'db-1' }));
    db.send({ type_url: LDS, node: node({ id: 'default.db-1' }) });
    const lds = await db.next(LDS, 30_000);
    db.send(ack(lds));
    const limit = { ...LIMIT, name: 'db-limit', sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': 'db' } }] };
    expect(await send(cp, 'PUT', '/meshes/default/rate-limits/db-limit', limit)).toBe(201);
    const line = JSON.parse(await cp.waitForLog(/RateLimit \\"db-limit\\" has no effect on data plane default\/db-1/, 30_000)) as Json;
    expect(line).toMatchObject({ level: 40, mesh: 'default', dataplane: 'db-1', policyType: 'RateLimit', policy: 'db-limit', inbound: 'inbound:127.0.0.1:5432' });
    const matched = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/db-1/policies`)).json()) as { items: Json[] };
    const entry = matched.items.find((p) => p['type'] === 'RateLimit' && p['name'] === 'db-limit');
    expect(String(entry?.['noEffect'])).toContain('inbound:127.0.0.1:5432: the inbound of db speaks tcp');
    // once: another change of the mesh does not repeat it
    expect(await send(cp, 'PUT', '/meshes/default/dataplanes/db-2', dataplane('db-2', 5433, { 'kuma.io/service': 'db' }))).toBe(201);
    await cp.waitForLog(/RateLimit \\"db-limit\\" has no effect on data plane default\/db-2/, 30_000);
    expect(cp.logs().filter((l) => l.includes('has no effect on data plane default/db-1'))).toHaveLength(1);
    db.close();
    client.close();
  }, 90_000);
});
