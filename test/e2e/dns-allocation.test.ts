import { afterAll, describe, expect, it, vi } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { aRecords, dig, statusOf } from '../helpers/dns-tools.js';

async function api(cp: CpProcess, method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

const dataplane = (name: string, ...services: string[]) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '10.0.0.1', inbound: services.map((s, i) => ({ port: 8000 + i, tags: { 'kuma.io/service': s } })) },
});

interface VipItem {
  name: string;
  ip: string;
  service?: string;
  freedAt?: string;
}

async function vips(cp: CpProcess): Promise<VipItem[]> {
  return ((await (await fetch(`${cp.apiUrl}/virtual-ips`)).json()) as { items: VipItem[] }).items;
}

describe('VIP allocation in the built daemon', () => {
  afterAll(stopAll);

  it('logs CIDR exhaustion once with the count and leaves existing VIPs untouched', async () => {
    const cp = await startCp({ env: { KUMA_DNS_SERVER_CIDR: '10.250.0.0/31' } });
    const port = cp.ports.dnsUdp!;
    await api(cp, 'PUT', '/meshes/default/dataplanes/a', dataplane('a', 'svc-a', 'svc-b'));
    await vi.waitFor(async () => expect(aRecords(await dig(port, 'svc-b.mesh'))).toHaveLength(1), { timeout: 10_000, interval: 10 });
    const before = await vips(cp);
    expect(before.map((v) => [v.ip, v.service])).toEqual([
      ['10.250.0.0', 'svc-a'],
      ['10.250.0.1', 'svc-b'],
    ]);

    await api(cp, 'PUT', '/meshes/default/dataplanes/c', dataplane('c', 'svc-c', 'svc-d'));
    const line = await cp.waitForLog(/VIP CIDR exhausted/, 3000);
    expect(JSON.parse(line)).toMatchObject({ level: 40, component: 'vip-allocator', unallocated: 2, cidr: '10.250.0.0/31' });
    await api(cp, 'PUT', '/meshes/default/dataplanes/e', dataplane('e', 'svc-e'));
    expect(statusOf(await dig(port, 'svc-e.mesh'))).toBe('NXDOMAIN');
    expect(await vips(cp)).toEqual(before);
    expect(aRecords(await dig(port, 'svc-a.mesh'))[0]?.[2]).toBe('10.250.0.0');

    // Freed VIPs are quarantined, so the CIDR stays exhausted: more passes, still one log line.
    await api(cp, 'DELETE', '/meshes/default/dataplanes/a');
    await vi.waitFor(async () => expect(statusOf(await dig(port, 'svc-a.mesh'))).toBe('NXDOMAIN'), { timeout: 10_000, interval: 10 });
    expect((await vips(cp)).map((v) => [v.ip, v.service, typeof v.freedAt])).toEqual([
      ['10.250.0.0', undefined, 'string'],
      ['10.250.0.1', undefined, 'string'],
    ]);
    expect(statusOf(await dig(port, 'svc-c.mesh'))).toBe('NXDOMAIN');
    expect(cp.logs().filter((l) => l.includes('VIP CIDR exhausted'))).toHaveLength(1);
  });

  it('frees a vanished service’s VIP into quarantine: NXDOMAIN at once, row kept, not handed to a new service', async () => {
    const cp = await startCp();
    const port = cp.ports.dnsUdp!;
    await api(cp, 'PUT', '/meshes/default/dataplanes/old', dataplane('old', 'old-svc'));
    await vi.waitFor(async () => expect(aRecords(await dig(port, 'old-svc.mesh'))).toHaveLength(1), { timeout: 10_000, interval: 10 });
    const oldVip = aRecords(await dig(port, 'old-svc.mesh'))[0]![2];

    await api(cp, 'DELETE', '/meshes/default/dataplanes/old');
    await vi.waitFor(async () => expect(statusOf(await dig(port, 'old-svc.mesh'))).toBe('NXDOMAIN'), { timeout: 10_000, interval: 10 });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect((await vips(cp)).find((v) => v.ip === oldVip)).toEqual(expect.objectContaining({ ip: oldVip, freedAt: expect.any(String) }));
    expect((await vips(cp)).find((v) => v.ip === oldVip)?.service).toBeUndefined();

    await api(cp, 'PUT', '/meshes/default/dataplanes/new', dataplane('new', 'new-svc'));
    await vi.waitFor(async () => expect(aRecords(await dig(port, 'new-svc.mesh'))).toHaveLength(1), { timeout: 10_000, interval: 10 });
    expect(aRecords(await dig(port, 'new-svc.mesh'))[0]![2]).not.toBe(oldVip);

    await api(cp, 'PUT', '/meshes/default/dataplanes/old', dataplane('old', 'old-svc'));
    await vi.waitFor(async () => expect(aRecords(await dig(port, 'old-svc.mesh'))[0]?.[2]).toBe(oldVip), { timeout: 10_000, interval: 10 });
  });
});
