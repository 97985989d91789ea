import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, LDS, ack, node, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { kumactl, kumactlHome } from '../helpers/kumactl-process.js';
import { dataplaneToken } from '../helpers/tokens.js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';

afterAll(stopAll);

/** A sidecar offering `service` on 8080 and calling `calls` through explicit outbounds. */
const dataplane = (name: string, service: string, ip: string, calls: string[]) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: {
    address: ip,
    inbound: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
    outbound: calls.map((s, i) => ({ port: 10001 + i, tags: { 'kuma.io/service': s } })),
  },
});

const DATAPLANES = [
  dataplane('web-1', 'web', '127.0.0.11', ['backend']),
  dataplane('web-2', 'web', '127.0.0.12', ['backend']),
  dataplane('backend-1', 'backend', '127.0.0.13', ['db']),
  dataplane('db-1', 'db', '127.0.0.14', ['web']),
];

const TIMEOUT = {
  type: 'Timeout',
  mesh: 'default',
  name: 'slow-everything',
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': '*' } }],
  conf: { connectTimeout: '7s', http: { requestTimeout: '42s' } },
};

const ROUTE = {
  type: 'TrafficRoute',
  mesh: 'default',
  name: 'backend-lb',
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': 'backend' } }],
  conf: { destination: { 'kuma.io/service': 'backend' }, loadBalancer: { leastRequest: { choiceCount: 4 } } },
};

interface Answer {
  dryRun: boolean;
  action: string;
  examined: number;
  proxies: { mesh: string; name: string; connected: boolean; types: { typeUrl: string; before: string; after: string }[]; resources: { typeUrl: string; name: string; change: string; before?: string; after?: string; diff: string }[] }[];
}

/** Every resource of every type with its version, as the API lists them (store state to compare). */
async function storeVersions(cp: CpProcess): Promise<string> {
  const out: string[] = [];
  for (const path of ['meshes', 'dataplanes', 'timeouts', 'traffic-routes', 'retries', 'traffic-permissions']) {
    const res = await fetch(`${cp.apiUrl}/${path}`);
    for (const item of ((await res.json()) as { items: Record<string, unknown>[] }).items) {
      const one = await fetch(`${cp.apiUrl}/${path === 'meshes' ? '' : `meshes/${String(item['mesh'])}/`}${path}/${String(item['name'])}`);
      out.push(`${path}/${String(item['name'])}@${one.headers.get('etag')}`);
    }
  }
  return out.sort().join('\n');
}

describe('dry-run of writes against the built kuma-cp', () => {
  let cp: CpProcess;
  let home: string;
  let client: AdsTestClient;
  let web1: TestStream<DiscoveryRequest, DiscoveryResponse>;

  const dryRun = async (body: Record<string, unknown>, method = 'PUT'): Promise<Answer> => {
    const res = await fetch(`${cp.apiUrl}/meshes/default/${body['type'] === 'Timeout' ? 'timeouts' : 'traffic-routes'}/${String(body['name'])}?dryRun=true`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'PUT' ? { body: JSON.stringify(body) } : {}),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Answer;
  };

  /** The connected proxy's per-type versions, as the control plane reports them. */
  const web1Versions = async (): Promise<string> => {
    const dump = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1/xds`)).json()) as { xds: { typeUrl: string; version: string; state: string }[] };
    return dump.xds.map((t) => `${t.typeUrl}=${t.version}/${t.state}`).join(',');
  };

  beforeAll(async () => {
    cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    home = await kumactlHome(cp.apiUrl);
    for (const dp of DATAPLANES) expect((await kumactl(home, ['apply', '-f', '-'], JSON.stringify(dp))).status).toBe(0);
    // web-1 runs a real ADS stream (as a sidecar) and ACKs what it gets.
    client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    web1 = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    web1.send({ type_url: CDS, node: node({ id: 'default.web-1' }), resource_names: [] });
    web1.send(ack(await web1.next(CDS, 30_000)));
    web1.send({ type_url: LDS, resource_names: [] });
    web1.send(ack(await web1.next(LDS, 30_000)));
  }, 90_000);

  afterAll(() => client.close());

  it('a mesh-wide Timeout lists every proxy of the mesh; nothing is stored and no proxy receives anything', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const storeBefore = await storeVersions(cp);
    const proxyBefore = await web1Versions();
    const received = web1.received.length;

    const answer = await dryRun(TIMEOUT);
    expect(answer).toMatchObject({ dryRun: true, action: 'create', examined: 4 });
    expect(answer.proxies.map((p) => p.name).sort()).toEqual(['backend-1', 'db-1', 'web-1', 'web-2']);
    expect(answer.proxies.find((p) => p.name === 'web-1')?.connected).toBe(true);
    // web-1's backend cluster gets the 7 s connect timeout; the diff says so in Envoy's terms.
    const cluster = answer.proxies.find((p) => p.name === 'web-1')?.resources.find((r) => r.typeUrl === CDS && r.name === 'backend');
    expect(cluster).toMatchObject({ change: 'changed' });
    expect(cluster?.before).not.toBe(cluster?.after);
    expect(cluster?.diff).toMatch(/^--- Cluster backend\tnow\n\+\+\+ Cluster backend\tafter\n/);
    expect(cluster?.diff).toMatch(/^\+ +"connect_timeout": "7s"/m);

    await new Promise((r) => setTimeout(r, 1000));
    expect(await storeVersions(cp)).toBe(storeBefore);
    expect((await fetch(`${cp.apiUrl}/meshes/default/timeouts/slow-everything`)).status).toBe(404);
    expect(await web1Versions()).toBe(proxyBefore);
    expect(web1.received.length).toBe(received);
  });

  it('a route for one service lists only its clients', async () => {
    const answer = await dryRun(ROUTE);
    expect(answer.proxies.map((p) => p.name).sort()).toEqual(['web-1', 'web-2']);
    const changed = answer.proxies[0]?.resources.map((r) => `${r.change} ${r.name}`);
    expect(changed).toContain('changed backend');
    expect(answer.proxies[0]?.resources.find((r) => r.name === 'backend')?.diff).toMatch(/^\+ +"lb_policy": "LEAST_REQUEST"/m);
  });

  it('kumactl apply --dry-run prints the proxies and diffs, writes nothing; invalid input is refused as for a write', async () => {
    const storeBefore = await storeVersions(cp);
    const r = await kumactl(home, ['apply', '--dry-run', '-f', '-'], JSON.stringify(ROUTE));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('TrafficRoute "backend-lb" in mesh "default" would be created: 2 of 4 proxies would change (dry run, nothing written)');
    expect(lines[1]).toBe('  default/web-1 (envoy, connected)');
    expect(lines[2]).toMatch(/^ {4}~ Cluster backend {2}\S+ -> \S+$/);
    expect(r.stdout).toContain('  default/web-2 (envoy)');
    expect(r.stdout).toContain('--- Cluster backend\tnow\n+++ Cluster backend\tafter\n');
    const json = await kumactl(home, ['apply', '--dry-run', '-o', 'json', '-f', '-'], JSON.stringify(ROUTE));
    expect((JSON.parse(json.stdout) as Answer).proxies).toHaveLength(2);

    const bad = await kumactl(home, ['apply', '--dry-run', '-f', '-'], JSON.stringify({ ...ROUTE, conf: { ...ROUTE.conf, retires: 3 } }));
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('Error: Could not process a resource: Resource is not valid (conf.retires: unknown field)');
    expect(await storeVersions(cp)).toBe(storeBefore);
  });

  it('a deletion dry-run lists the proxies that would lose the policy', async () => {
    expect((await kumactl(home, ['apply', '-f', '-'], JSON.stringify(ROUTE))).status).toBe(0);
    const answer = await dryRun(ROUTE, 'DELETE');
    expect(answer.action).toBe('delete');
    expect(answer.proxies.map((p) => p.name).sort()).toEqual(['web-1', 'web-2']);
    expect((await fetch(`${cp.apiUrl}/meshes/default/traffic-routes/backend-lb`)).status).toBe(200);
  });
});
