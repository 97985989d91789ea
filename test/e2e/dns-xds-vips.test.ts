import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';
import { dataplaneToken } from '../helpers/tokens.js';
import { AdsTestClient, CDS, LDS, ack, decodeResource, node, resourceNames, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { aRecords, dig, statusOf } from '../helpers/dns-tools.js';

/**
 * Issue 4 item 5 end to end on the built daemon: the VIP that DNS answers for `<service>.mesh` is the
 * address of an outbound listener (port 80 and the service's own ports) pushed over ADS to every
 * transparent-proxy Dataplane of the mesh; freed (quarantined) VIPs and other meshes' services get none.
 */
async function api(cp: CpProcess, method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

const dataplane = (mesh: string, name: string, service: string, port: number, opts: { transparent?: boolean; protocol?: string } = {}) => ({
  type: 'Dataplane',
  mesh,
  name,
  networking: {
    address: '127.0.0.1',
    inbound: [{ port, servicePort: port + 1, tags: { 'kuma.io/service': service, ...(opts.protocol ? { 'kuma.io/protocol': opts.protocol } : {}) } }],
    ...(opts.transparent ? { transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001 } } : {}),
  },
});

interface VipItem {
  ip: string;
  service?: string;
  freedAt?: string;
}

/** `outbound:<ip>:<port>` listeners of an LDS response: name -> [address, port, bind_to_port]. */
function outboundListeners(lds: DiscoveryResponse): Map<string, [string, number, boolean]> {
  const out = new Map<string, [string, number, boolean]>();
  for (const any of lds.resources) {
    const l = decodeResource(any) as { name: string; address?: { socket_address?: { address: string; port_value: number } }; bind_to_port?: { value: boolean } };
    const sa = l.address?.socket_address;
    if (!/^outbound:\d/.test(l.name) || !sa) continue;
    out.set(l.name, [sa.address, sa.port_value, l.bind_to_port?.value ?? true]);
  }
  return out;
}

/** Reads LDS pushes (ACKing each, and the CDS pushes in between) until `check` passes on the latest one. */
async function ldsUntil(s: TestStream<DiscoveryRequest, DiscoveryResponse>, check: (lds: DiscoveryResponse) => void, timeoutMs = 10_000): Promise<DiscoveryResponse> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw lastError instanceof Error ? lastError : new Error('no matching LDS push');
    let res: DiscoveryResponse;
    try {
      res = await s.next(undefined, remaining);
    } catch (err) {
      throw lastError instanceof Error ? lastError : err;
    }
    s.send(ack(res));
    if (res.type_url !== LDS) continue;
    try {
      check(res);
      return res;
    } catch (err) {
      lastError = err;
    }
  }
}

describe('xDS outbound listeners on DNS VIPs (built daemon)', () => {
  let cp: CpProcess;
  let dnsPort: number;
  const vipOf = async (name: string): Promise<string | undefined> => aRecords(await dig(dnsPort, `${name}.mesh`))[0]?.[2];
  const clients: AdsTestClient[] = [];
  const sidecar = async (id: string): Promise<TestStream<DiscoveryRequest, DiscoveryResponse>> => {
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    clients.push(client);
    const [mesh = '', name = ''] = id.split('.');
    const s = client.sotw(await dataplaneToken(cp, { mesh, name }));
    s.send({ type_url: CDS, node: node({ id }) }).send({ type_url: LDS });
    return s;
  };

  beforeAll(async () => {
    cp = await startCp();
    dnsPort = cp.ports.dnsUdp!;
    await api(cp, 'PUT', '/meshes/other', { type: 'Mesh', name: 'other' });
    await api(cp, 'PUT', '/meshes/default/dataplanes/web-1', dataplane('default', 'web-1', 'web', 8080, { transparent: true, protocol: 'http' }));
    await api(cp, 'PUT', '/meshes/default/dataplanes/backend-1', dataplane('default', 'backend-1', 'backend', 9090, { protocol: 'http' }));
    await api(cp, 'PUT', '/meshes/default/dataplanes/db-1', dataplane('default', 'db-1', 'db', 5432));
    await api(cp, 'PUT', '/meshes/other/dataplanes/far-1', dataplane('other', 'far-1', 'far', 7070));
    await vi.waitFor(async () => expect(await Promise.all(['web', 'backend', 'db', 'far'].map(vipOf))).not.toContain(undefined), { timeout: 10_000, interval: 20 });
  }, 30_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await stopAll();
  });

  it('pushes a transparent proxy an unbound outbound listener on <VIP>:80 and <VIP>:<service port> for every service of its mesh', async () => {
    const vips = { web: await vipOf('web'), backend: await vipOf('backend'), db: await vipOf('db'), far: await vipOf('far') };
    const expected = new Map<string, [string, number, boolean]>();
    for (const [service, port] of [['web', 8080], ['backend', 9090], ['db', 5432]] as const) {
      for (const p of [80, port]) expected.set(`outbound:${vips[service]}:${p}`, [vips[service]!, p, false]);
    }
    const s = await sidecar('default.web-1');
    const lds = await ldsUntil(s, (res) => expect(outboundListeners(res)).toEqual(expected));
    // Another mesh's service resolves too, but is no outbound of this mesh.
    expect(resourceNames(lds).filter((n) => n.includes(vips.far!))).toEqual([]);
    expect(resourceNames(lds)).toEqual(expect.arrayContaining(['inbound:127.0.0.1:8080', 'inbound:passthrough:ipv4', 'outbound:passthrough:ipv4']));
  });

  it('gives a Dataplane without transparent proxying no VIP listeners', async () => {
    const s = await sidecar('default.backend-1');
    const lds = await s.next(LDS);
    s.send(ack(lds));
    expect(outboundListeners(lds).size).toBe(0);
    expect(resourceNames(lds)).toEqual(['inbound:127.0.0.1:9090']);
  });

  it('follows VIP changes: a new service gets a listener on its new VIP, a freed (quarantined) VIP loses its listeners', async () => {
    const s = await sidecar('default.web-1');
    const dbVip = (await vipOf('db'))!;
    await ldsUntil(s, (res) => expect(outboundListeners(res).has(`outbound:${dbVip}:5432`)).toBe(true));

    await api(cp, 'PUT', '/meshes/default/dataplanes/fresh-1', dataplane('default', 'fresh-1', 'fresh', 6060));
    await vi.waitFor(async () => expect(await vipOf('fresh')).toBeDefined(), { timeout: 10_000, interval: 20 });
    const freshVip = (await vipOf('fresh'))!;
    await ldsUntil(s, (res) => expect([...outboundListeners(res).keys()]).toEqual(expect.arrayContaining([`outbound:${freshVip}:80`, `outbound:${freshVip}:6060`])));

    await api(cp, 'DELETE', '/meshes/default/dataplanes/db-1');
    await vi.waitFor(async () => expect(statusOf(await dig(dnsPort, 'db.mesh'))).toBe('NXDOMAIN'), { timeout: 10_000, interval: 20 });
    const rows = ((await (await fetch(`${cp.apiUrl}/virtual-ips`)).json()) as { items: VipItem[] }).items;
    const dbRow = rows.find((r) => r.ip === dbVip);
    expect([dbRow?.service, typeof dbRow?.freedAt]).toEqual([undefined, 'string']); // row kept, quarantined
    const lds = await ldsUntil(s, (res) => expect(resourceNames(res).filter((n) => n.includes(`:${dbVip}:`))).toEqual([]));
    expect([...outboundListeners(lds).keys()]).toContain(`outbound:${freshVip}:80`);
  });
});

