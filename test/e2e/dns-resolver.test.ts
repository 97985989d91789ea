import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { aRecords, dig, kdig, statusOf } from '../helpers/dns-tools.js';

async function put(cp: CpProcess, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}

const dataplane = (name: string, service: string, port = 80) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '10.0.0.1', inbound: [{ port, servicePort: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }] },
});

describe('DNS resolver with real clients (dig, kdig)', () => {
  let cp: CpProcess;
  let port: number;

  beforeAll(async () => {
    cp = await startCp();
    port = cp.ports.dnsUdp!;
    expect(cp.ports.dnsTcp).toBe(port);
    await put(cp, '/meshes/default/dataplanes/web-1', dataplane('web-1', 'web'));
    await put(cp, '/meshes/default/dataplanes/demo-1', dataplane('demo-1', 'backend_kuma-demo_svc_8080', 81));
    await vi.waitFor(async () => expect(aRecords(await dig(port, 'backend_kuma-demo_svc_8080.mesh'))).toHaveLength(1), { timeout: 5000, interval: 20 });
  });
  afterAll(stopAll);

  it('answers A with the VIP and a 30 s TTL, over UDP and TCP', async () => {
    const udp = await dig(port, 'web.mesh', 'A');
    expect(statusOf(udp)).toBe('NOERROR');
    expect(udp).toMatch(/flags: qr aa rd;/);
    const [[name, ttl, vip]] = aRecords(udp) as [[string, number, string]];
    expect([name, ttl]).toEqual(['web.mesh.', 30]);
    expect(vip).toMatch(/^24\d\.\d+\.\d+\.\d+$/);
    const tcp = await dig(port, '+tcp', 'web.mesh');
    expect(aRecords(tcp)).toEqual([['web.mesh.', 30, vip]]);
    const k = await kdig(port, '+tcp', 'web.mesh');
    expect(k).toMatch(/TCP/);
    expect(aRecords(k).map((r) => r[2])).toEqual([vip]);
  });

  it('is case-insensitive and applies the dots-to-underscores rewrite', async () => {
    const plain = aRecords(await dig(port, 'backend_kuma-demo_svc_8080.mesh'))[0]![2];
    expect(aRecords(await dig(port, 'BaCkEnD.KuMa-DeMo.SvC.8080.MeSh'))[0]![2]).toBe(plain);
    expect(aRecords(await kdig(port, 'WEB.MESH'))).toHaveLength(1);
  });

  it('answers AAAA of a known name with NOERROR and no answer', async () => {
    const out = await dig(port, 'web.mesh', 'AAAA');
    expect(statusOf(out)).toBe('NOERROR');
    expect(out).toMatch(/ANSWER: 0,/);
    expect(out).toMatch(/^mesh\.\s+30\s+IN\s+SOA/m);
  });

  it('answers NXDOMAIN with an SOA for unknown names in the domain', async () => {
    const out = await kdig(port, 'nope.mesh');
    expect(statusOf(out)).toBe('NXDOMAIN');
    expect(out).toMatch(/AUTHORITY SECTION:\s*\nmesh\.\s+30\s+IN\s+SOA\s+ns\.mesh\. hostmaster\.mesh\./);
  });

  it('refuses names outside the domain', async () => {
    expect(statusOf(await dig(port, 'example.com'))).toBe('REFUSED');
    expect(statusOf(await kdig(port, '+tcp', 'example.com'))).toBe('REFUSED');
  });

  it('answers EDNS0 queries with an OPT record, and plain queries without one', async () => {
    const edns = await kdig(port, '+edns=0', '+bufsize=4096', '+dnssec', 'web.mesh');
    expect(edns).toMatch(/EDNS PSEUDOSECTION:\s*\n;; Version: 0; flags: do; UDP size: 1232 B/);
    expect(aRecords(edns)).toHaveLength(1);
    const plain = await dig(port, '+noedns', 'web.mesh');
    expect(plain).not.toMatch(/OPT PSEUDOSECTION/);
    expect(aRecords(plain)).toHaveLength(1);
    const badVersion = await dig(port, '+edns=1', '+noednsneg', 'web.mesh');
    expect(statusOf(badVersion)).toBe('BADVERS');
  });

  it('resolves a new Dataplane’s service shortly after its PUT', async () => {
    await put(cp, '/meshes/default/dataplanes/fresh-1', dataplane('fresh-1', 'fresh'));
    await vi.waitFor(async () => expect(aRecords(await dig(port, 'fresh.mesh'))).toHaveLength(1), { timeout: 10_000, interval: 10 });
  });

  it('keeps every VIP across a restart', async () => {
    const names = ['web.mesh', 'backend_kuma-demo_svc_8080.mesh', 'fresh.mesh'];
    const before = await Promise.all(names.map(async (n) => aRecords(await dig(port, n))[0]?.[2]));
    expect(before.every((v) => v !== undefined)).toBe(true);
    const vipsBefore = await (await fetch(`${cp.apiUrl}/virtual-ips`)).json();
    cp = await cp.restart();
    port = cp.ports.dnsUdp!;
    const after = await Promise.all(names.map(async (n) => aRecords(await dig(port, n))[0]?.[2]));
    expect(after).toEqual(before);
    expect(await (await fetch(`${cp.apiUrl}/virtual-ips`)).json()).toEqual(vipsBefore);
  });
});
