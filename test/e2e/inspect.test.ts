import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, EDS, LDS, RDS, ack, decodeResource, nack, node, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { kumactl, kumactlHome } from '../helpers/kumactl-process.js';
import { dataplaneToken, zoneIngressToken } from '../helpers/tokens.js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';

afterAll(stopAll);

const dataplane = (name: string, service: string, address: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address, inbound: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }] },
});

interface ConfigDump {
  proxy: string;
  kind: string;
  xds: { typeUrl: string; version: string; state: string; resources: number; lastNack?: { errorDetail: string; version: string } }[];
  configs: Record<string, unknown>[];
}

/** What a proxyless client received, as the client saw it: per type the version and the decoded resources. */
type ClientView = Map<string, { version: string; resources: Record<string, unknown>[] }>;

async function fetchAndAck(s: TestStream<DiscoveryRequest, DiscoveryResponse>, typeUrl: string, names: string[], view: ClientView): Promise<DiscoveryResponse> {
  s.send({ type_url: typeUrl, resource_names: names });
  const res = await s.next(typeUrl, 30_000);
  s.send(ack(res, names));
  view.set(typeUrl, { version: res.version_info, resources: res.resources.map(decodeResource) });
  return res;
}

/** The names of each section of an Envoy-style config dump. */
function dumpNames(dump: ConfigDump): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of dump.configs) {
    const type = String(c['@type']).split('.').pop() ?? '';
    const list = Object.entries(c).find(([k]) => k !== '@type')?.[1] as Record<string, Record<string, unknown>>[];
    out[type] = list.map((e) => {
      const inner = e['active_state']?.['listener'] ?? e['cluster'] ?? e['route_config'] ?? e['endpoint_config'];
      const r = inner as Record<string, unknown>;
      return String(r['name'] ?? r['cluster_name']);
    });
  }
  return out;
}

describe('inspect endpoints and kumactl inspect against the built kuma-cp', () => {
  let cp: CpProcess;
  let home: string;
  let client: AdsTestClient;

  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(cp.apiUrl);
    for (const dp of [dataplane('backend-1', 'backend', '127.0.0.2'), dataplane('web-1', 'web', '127.0.0.3')]) {
      const r = await kumactl(home, ['apply', '-f', '-'], JSON.stringify(dp));
      expect(r.status, r.stderr).toBe(0);
    }
    client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
  });

  afterAll(() => client.close());

  it('shows the listener, route, cluster and endpoints a proxyless client received, with versions and ACK state', async () => {
    const s = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    s.send({ type_url: LDS, node: node({ id: 'default.web-1', userAgent: 'gRPC Node Pure JS' }), resource_names: ['backend.mesh'] });
    const view: ClientView = new Map();
    const lds = await s.next(LDS, 30_000);
    s.send(ack(lds, ['backend.mesh']));
    view.set(LDS, { version: lds.version_info, resources: lds.resources.map(decodeResource) });
    await fetchAndAck(s, RDS, ['outbound:backend'], view);
    await fetchAndAck(s, CDS, ['backend'], view);
    await fetchAndAck(s, EDS, ['backend'], view);

    // The client's own view against what kumactl says the control plane sent.
    let dump: ConfigDump | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await kumactl(home, ['inspect', 'dataplane', 'web-1', '--type=config-dump']);
      expect(r.status, r.stderr).toBe(0);
      dump = JSON.parse(r.stdout) as ConfigDump;
      if (dump.xds.length === 4 && dump.xds.every((t) => t.state === 'ACK')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(dump?.proxy).toBe('default.web-1');
    expect(dump?.kind).toBe('proxyless');
    for (const [typeUrl, seen] of view) {
      const t = dump?.xds.find((x) => x.typeUrl === typeUrl);
      expect(t, typeUrl).toMatchObject({ version: seen.version, state: 'ACK', resources: seen.resources.length });
    }
    expect(dumpNames(dump as ConfigDump)).toEqual({
      ClustersConfigDump: view.get(CDS)?.resources.map((r) => r['name']),
      EndpointsConfigDump: view.get(EDS)?.resources.map((r) => r['cluster_name']),
      ListenersConfigDump: view.get(LDS)?.resources.map((r) => r['name']),
      RoutesConfigDump: view.get(RDS)?.resources.map((r) => r['name']),
    });
    // Content, not just names: the endpoint the client got is backend-1's address, in Envoy's JSON form.
    const eds = dump?.configs.find((c) => String(c['@type']).endsWith('EndpointsConfigDump'));
    expect(JSON.stringify(eds)).toContain('"socket_address":{"address":"127.0.0.2","port_value":8080}');
    const clientEds = JSON.stringify(view.get(EDS)?.resources);
    expect(clientEds).toContain('"address":"127.0.0.2"');

    // A rejection shows as NACK with the client's error detail.
    await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-2`, { method: 'PUT', body: JSON.stringify(dataplane('backend-2', 'backend', '127.0.0.4')) });
    const update = await s.next(EDS, 30_000);
    s.send(nack(update, view.get(EDS)?.version ?? '', ['backend'], 'endpoint 127.0.0.4 refused by the test'));
    let nacked: ConfigDump | undefined;
    for (let i = 0; i < 50; i++) {
      nacked = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1/xds`)).json()) as ConfigDump;
      if (nacked.xds.find((t) => t.typeUrl === EDS)?.state === 'NACK') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(nacked?.xds.find((t) => t.typeUrl === EDS)).toMatchObject({ state: 'NACK', version: update.version_info, lastNack: { errorDetail: 'endpoint 127.0.0.4 refused by the test', version: update.version_info } });
    s.close();
  });

  it('answers 404 in the error shape for a proxy that is not connected', async () => {
    const r = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1/xds`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ title: 'Could not inspect a resource', details: 'data plane default/backend-1 is not connected to this control plane' });
    const k = await kumactl(home, ['inspect', 'dataplane', 'backend-1', '--type=config-dump']);
    expect(k.status).toBe(1);
    expect(k.stderr.trim()).toBe('Error: Could not inspect a resource: data plane default/backend-1 is not connected to this control plane');
  });

  it('answers for zone ingresses at /zoneingresses/{name}/xds: 404 naming what is missing', async () => {
    const zi = { type: 'ZoneIngress', name: 'zi-1', zone: 'zone-1', networking: { address: '127.0.0.9', port: 10001 } };
    expect((await fetch(`${cp.apiUrl}/zoneingresses/zi-1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(zi) })).status).toBe(201);
    const r = await fetch(`${cp.apiUrl}/zoneingresses/zi-1/xds`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ title: 'Could not inspect a resource', details: 'zone ingress zi-1 is not connected to this control plane' });
    const none = await fetch(`${cp.apiUrl}/zoneingresses/nope/xds`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ details: 'Not found' });
    const k = await kumactl(home, ['inspect', 'zoneingress', 'zi-1']);
    expect(k.status).toBe(1);
    expect(k.stderr.trim()).toBe('Error: Could not inspect a resource: zone ingress zi-1 is not connected to this control plane');
  });

  it('shows what a connected zone ingress holds (real ADS stream): per-type version and ACK state as the ingress saw them, then its NACK', async () => {
    const zi = { type: 'ZoneIngress', name: 'zi-2', networking: { address: '127.0.0.8', port: 10002, advertisedAddress: '192.0.2.8', advertisedPort: 10443 } };
    expect((await kumactl(home, ['apply', '-f', '-'], JSON.stringify(zi))).status).toBe(0);
    // As Envoy started by `kuma-dp --proxy-type=ingress` opens it: node `.<name>`, a zone-ingress token, CDS and LDS wildcard, then EDS.
    const s = client.sotw(await zoneIngressToken(cp));
    const view: ClientView = new Map();
    s.send({ type_url: CDS, node: node({ id: '.zi-2' }) });
    const cds = await s.next(CDS, 30_000);
    s.send(ack(cds));
    view.set(CDS, { version: cds.version_info, resources: cds.resources.map(decodeResource) });
    s.send({ type_url: LDS });
    const lds = await s.next(LDS, 30_000);
    s.send(ack(lds));
    view.set(LDS, { version: lds.version_info, resources: lds.resources.map(decodeResource) });
    const clusters = cds.resources.map(decodeResource).map((c) => String(c['name']));
    expect(clusters).toEqual(expect.arrayContaining(['default:backend', 'default:web']));
    await fetchAndAck(s, EDS, clusters, view);

    let dump: ConfigDump | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await kumactl(home, ['inspect', 'zoneingress', 'zi-2', '--type=config-dump']);
      expect(r.status, r.stderr).toBe(0);
      dump = JSON.parse(r.stdout) as ConfigDump;
      if (dump.xds.length === 3 && dump.xds.every((t) => t.state === 'ACK')) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(dump?.proxy).toBe('.zi-2');
    expect(dump?.kind).toBe('envoy');
    for (const [typeUrl, seen] of view) {
      expect(dump?.xds.find((x) => x.typeUrl === typeUrl), typeUrl).toMatchObject({ version: seen.version, state: 'ACK', resources: seen.resources.length });
    }
    expect(dumpNames(dump as ConfigDump)).toEqual({
      ClustersConfigDump: view.get(CDS)?.resources.map((r) => r['name']),
      EndpointsConfigDump: view.get(EDS)?.resources.map((r) => r['cluster_name']),
      ListenersConfigDump: view.get(LDS)?.resources.map((r) => r['name']),
    });
    // The ingress listener routes by SNI: one chain per service the zone offers, as the ingress received it.
    const listener = JSON.stringify(dump?.configs.find((c) => String(c['@type']).endsWith('ListenersConfigDump')));
    expect(listener).toContain('"server_names":["backend{mesh=default}"]');

    // A new service changes the ingress's listener; the ingress rejects it: the REST answer shows the NACK with its detail.
    expect((await kumactl(home, ['apply', '-f', '-'], JSON.stringify(dataplane('db-1', 'db', '127.0.0.5')))).status).toBe(0);
    let update = await s.next(LDS, 30_000);
    while (!JSON.stringify(update.resources.map(decodeResource)).includes('db{mesh=default}')) update = await s.next(LDS, 30_000);
    s.send(nack(update, lds.version_info, [], 'ingress refuses the db chain (test)'));
    let nacked: ConfigDump | undefined;
    for (let i = 0; i < 50; i++) {
      nacked = (await (await fetch(`${cp.apiUrl}/zoneingresses/zi-2/xds`)).json()) as ConfigDump;
      if (nacked.xds.find((t) => t.typeUrl === LDS)?.state === 'NACK') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(nacked?.xds.find((t) => t.typeUrl === LDS)).toMatchObject({ state: 'NACK', version: update.version_info, lastNack: { errorDetail: 'ingress refuses the db chain (test)', version: update.version_info } });
    expect(nacked?.xds.find((t) => t.typeUrl === CDS)?.state).not.toBe('NACK');
    s.close();
    expect((await kumactl(home, ['delete', 'dataplane', 'db-1'])).status).toBe(0);
  }, 120_000);

  it('lists the policies matched by a data plane and the data planes a policy selects', async () => {
    const route = { type: 'TrafficRoute', mesh: 'default', name: 'web-to-backend', sources: [{ match: { 'kuma.io/service': 'web' } }], destinations: [{ match: { 'kuma.io/service': 'backend' } }], conf: { destination: { 'kuma.io/service': 'backend' } } };
    expect((await kumactl(home, ['apply', '-f', '-'], JSON.stringify(route))).status).toBe(0);
    const web = { ...dataplane('web-1', 'web', '127.0.0.3'), networking: { ...dataplane('web-1', 'web', '127.0.0.3').networking, outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] } };
    expect((await kumactl(home, ['apply', '-f', '-'], JSON.stringify(web))).status).toBe(0);
    const body = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1/policies`)).json()) as { items: { type: string; name: string; attachments: { kind: string; name: string }[]; reason: string }[] };
    const tr = body.items.find((p) => p.type === 'TrafficRoute');
    expect(tr).toEqual({ type: 'TrafficRoute', name: 'web-to-backend', attachments: [{ kind: 'outbound', name: 'outbound:backend', service: 'backend' }], reason: 'from kuma.io/service=web to kuma.io/service=backend' });
    expect(body.items.find((p) => p.type === 'TrafficPermission')).toMatchObject({ name: 'allow-all-default', attachments: [{ kind: 'inbound', name: 'inbound:127.0.0.3:8080' }] });
    const table = await kumactl(home, ['inspect', 'dataplane', 'web-1', '--type=policies']);
    expect(table.stdout).toMatch(/^TYPE +NAME +ATTACHMENT +MATCHED BY\n/);
    expect(table.stdout).toMatch(/TrafficRoute +web-to-backend +outbound:backend +from kuma.io\/service=web to kuma.io\/service=backend/);
    const selected = (await (await fetch(`${cp.apiUrl}/meshes/default/traffic-routes/web-to-backend/dataplanes`)).json()) as { items: { name: string }[] };
    expect(selected.items.map((d) => d.name)).toEqual(['web-1']);
    const all = (await (await fetch(`${cp.apiUrl}/meshes/default/traffic-permissions/allow-all-default/dataplanes`)).json()) as { items: { name: string }[] };
    expect(all.items.map((d) => d.name).sort()).toEqual(['backend-1', 'backend-2', 'web-1']);
  });
});
