import { afterAll, describe, expect, it } from 'vitest';
import { dataplaneToken } from '../helpers/tokens.js';
import { AdsTestClient, CDS, LDS, ack, decodeResource, node, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';

/** ProxyTemplate over ADS on the built daemon: applied, refused with the proxy keeping its config, removed. */
afterAll(async () => {
  await stopAll();
});

const dataplane = (name: string, address: string, service: string, port: number, outbound?: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: {
    address,
    inbound: [{ port, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
    ...(outbound ? { outbound: [{ port: 10001, tags: { 'kuma.io/service': outbound } }] } : {}),
  },
});

const template = (connectTimeout: string) => ({
  type: 'ProxyTemplate',
  mesh: 'default',
  name: 'web-tuning',
  selectors: [{ match: { 'kuma.io/service': 'web' } }],
  conf: {
    imports: ['default-proxy'],
    modifications: [{ cluster: { operation: 'patch', match: { name: 'backend', origin: 'outbound' }, value: `connectTimeout: ${connectTimeout}\n` } }],
  },
});

async function put(cp: CpProcess, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${cp.apiUrl}/meshes/default/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.status;
}

/** connect_timeout of cluster `backend` in a CDS response, in seconds. */
function backendTimeout(cds: DiscoveryResponse): number | undefined {
  for (const r of cds.resources) {
    const c = decodeResource(r) as { name?: string; connect_timeout?: { seconds?: string; nanos?: number } };
    if (c.name === 'backend') return Number(c.connect_timeout?.seconds ?? 0) + (c.connect_timeout?.nanos ?? 0) / 1e9;
  }
  return undefined;
}

interface Overview {
  dataplaneInsight?: { subscriptions?: { status?: { configError?: string } }[] };
}

async function configError(cp: CpProcess): Promise<string | undefined> {
  const overview = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes+insights/web-1`)).json()) as Overview;
  return overview.dataplaneInsight?.subscriptions?.at(-1)?.status?.configError;
}

async function nextCds(s: TestStream<DiscoveryRequest, DiscoveryResponse>): Promise<DiscoveryResponse> {
  const cds = await s.next(CDS, 10_000);
  s.send(ack(cds));
  return cds;
}

describe('ProxyTemplate on the built kuma-cp', () => {
  it('patches a cluster of the proxies it selects; a template that breaks a resource is logged and shown in the insight, and the proxy keeps its config; deleting it restores the default', async () => {
    const cp = await startCp({ env: { KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL: '100ms' } });
    expect(await put(cp, 'dataplanes/backend-1', dataplane('backend-1', '127.0.0.1', 'backend', 18080))).toBe(201);
    expect(await put(cp, 'dataplanes/web-1', dataplane('web-1', '127.0.0.2', 'web', 18081, 'backend'))).toBe(201);
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const s = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    s.send({ type_url: CDS, node: node({ id: 'default.web-1' }) }).send({ type_url: LDS });
    expect(backendTimeout(await nextCds(s))).toBe(5);
    s.send(ack(await s.next(LDS)));

    expect(await put(cp, 'proxytemplates/web-tuning', template('2.5s'))).toBe(201);
    expect(backendTimeout(await nextCds(s))).toBe(2.5);

    // connect_timeout must be > 0 (validate.rules): refused at generation, reported, nothing sent
    expect(await put(cp, 'proxytemplates/web-tuning', template('-1s'))).toBe(200);
    const line = JSON.parse(await cp.waitForLog(/generating proxy configuration failed/, 10_000)) as Record<string, unknown>;
    expect(line).toMatchObject({ mesh: 'default', dataplane: 'web-1', proxyTemplate: 'web-tuning' });
    expect(String(line['err'])).toMatch(/ProxyTemplate "web-tuning" of mesh "default" was not applied: modifications\[0\]\.cluster: Cluster "backend" would be invalid: .*connect_timeout/);
    // a later change of the mesh does not log it again, and the proxy still gets nothing while the template is broken
    expect(await put(cp, 'dataplanes/backend-2', dataplane('backend-2', '127.0.0.3', 'backend', 18082))).toBe(201);
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.pending.filter((r) => r.type_url === CDS)).toEqual([]);
    expect(cp.logs().filter((l) => l.includes('generating proxy configuration failed'))).toHaveLength(1);
    // ... and the data plane's insight says why (status.configError of its subscription)
    await expect.poll(() => configError(cp), { timeout: 10_000 }).toMatch(/^ProxyTemplate "web-tuning" of mesh "default" was not applied: .*connect_timeout/);

    const del = await fetch(`${cp.apiUrl}/meshes/default/proxytemplates/web-tuning`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(backendTimeout(await nextCds(s))).toBe(5);
    await cp.waitForLog(/proxy configuration generated again/, 10_000);
    await expect.poll(() => configError(cp), { timeout: 10_000 }).toBeUndefined();
    client.close();
  }, 90_000);
});
