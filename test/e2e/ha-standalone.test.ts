import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';
import { AdsTestClient, CDS, LDS, ack, resourceNames, node, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { dataplaneToken } from '../helpers/tokens.js';
import { aRecords, dig } from '../helpers/dns-tools.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { migrateDatabase } from '../helpers/postgres-store.js';

/**
 * Issue 11 acceptance, standalone: separate kuma-cp processes on one real Postgres. Writes through one instance
 * reach the other's DNS and xDS; VIPs are allocated once (by the leader); kill -9 of the leader hands leadership
 * to the other within the lease, and it goes on allocating; no acknowledged write is lost.
 */
let server: PostgresServer;
let env: Record<string, string>;
const clients: AdsTestClient[] = [];

beforeAll(async () => {
  server = await startPostgres();
  const db = await server.createDatabase('ha');
  await migrateDatabase(server, db);
  env = server.env(db);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await stopAll();
  await server.stop();
});

async function put(cp: CpProcess, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}

const dataplane = (name: string, service: string, port: number, transparent = false): Record<string, unknown> => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: {
    address: '127.0.0.1',
    inbound: [{ port, servicePort: port + 1, tags: { 'kuma.io/service': service } }],
    ...(transparent ? { transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001 } } : {}),
  },
});

async function metric(cp: CpProcess, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const vipOf = async (cp: CpProcess, service: string): Promise<string | undefined> => aRecords(await dig(cp.ports.dnsUdp!, `${service}.mesh`))[0]?.[2];

async function vipRows(cp: CpProcess): Promise<{ ip: string; service?: string }[]> {
  return ((await (await fetch(`${cp.apiUrl}/virtual-ips?size=1000`)).json()) as { items: { ip: string; service?: string }[] }).items;
}

function instanceIdOf(cp: CpProcess): string {
  const ready = cp.logs().find((l) => l.includes('"kuma-cp is ready"'));
  return (JSON.parse(ready ?? '{}') as { instanceId: string }).instanceId;
}

/** Instance ids of the open (not disconnected) subscriptions of a Dataplane's insight. */
async function openSubscriptions(cp: CpProcess, dataplaneName: string): Promise<string[]> {
  const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes+insights/${dataplaneName}`);
  if (res.status !== 200) return [];
  const body = (await res.json()) as { dataplaneInsight?: { subscriptions?: { controlPlaneInstanceId: string; disconnectTime?: string }[] } };
  return (body.dataplaneInsight?.subscriptions ?? []).filter((s) => !s.disconnectTime).map((s) => s.controlPlaneInstanceId);
}

/** A sidecar stream to `cp`, authenticated with a data-plane token issued by that instance (`<mesh>.<name>` id). */
async function sidecar(cp: CpProcess, id: string): Promise<TestStream<DiscoveryRequest, DiscoveryResponse>> {
  const [mesh = '', name = ''] = id.split('.');
  const token = await dataplaneToken(cp, { mesh, name });
  const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
  clients.push(client);
  const s = client.sotw(token);
  s.send({ type_url: CDS, node: node({ id }) }).send({ type_url: LDS });
  return s;
}

/** Reads pushes (ACKing each) until an LDS push passes `check`. */
async function ldsUntil(s: TestStream<DiscoveryRequest, DiscoveryResponse>, check: (names: string[]) => boolean, timeoutMs = 15_000): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const res = await s.next(undefined, Math.max(1, deadline - performance.now()));
    s.send(ack(res));
    if (res.type_url === LDS && check(resourceNames(res))) return resourceNames(res);
  }
}

describe('two standalone instances on one Postgres', () => {
  let a: CpProcess;
  let b: CpProcess;

  beforeAll(async () => {
    a = await startCp({ env });
    b = await startCp({ env });
  }, 90_000);

  it('the first instance leads, the second follows; both are ready and both serve', async () => {
    expect(await metric(a, 'leader')).toBe(1);
    expect(await metric(b, 'leader')).toBe(0);
    for (const cp of [a, b]) expect((await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/ready`)).status).toBe(200);
    // The default mesh was created once, by the leader, and both see it.
    for (const cp of [a, b]) {
      const meshes = (await (await fetch(`${cp.apiUrl}/meshes`)).json()) as { items: { name: string }[] };
      expect(meshes.items.map((m) => m.name)).toEqual(['default']);
    }
  });

  it("a Dataplane written through A resolves in B's DNS and appears in B's xDS", async () => {
    await put(a, '/meshes/default/dataplanes/web-1', dataplane('web-1', 'web', 8080, true));
    const s = await sidecar(b, 'default.web-1');
    await ldsUntil(s, (names) => names.includes('inbound:127.0.0.1:8080'));

    const written = performance.now();
    await put(a, '/meshes/default/dataplanes/backend-1', dataplane('backend-1', 'backend', 9090));
    await vi.waitFor(async () => expect(await vipOf(b, 'backend')).toBeDefined(), { timeout: 10_000, interval: 10 });
    const dnsMs = performance.now() - written;
    const vip = (await vipOf(b, 'backend'))!;
    await ldsUntil(s, (names) => names.includes(`outbound:${vip}:80`));
    const xdsMs = performance.now() - written;
    // Reported, not asserted (timings belong to benches): the issue expects well under a second.
    console.log(`write through A -> B's DNS ${dnsMs.toFixed(0)} ms, -> B's xDS listener ${xdsMs.toFixed(0)} ms`);
    expect(await vipOf(a, 'backend')).toBe(vip);
  }, 60_000);

  it('no VIP is ever allocated twice: services created through both instances get distinct VIPs, the same on both', async () => {
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 16; i++) writes.push(put(i % 2 ? a : b, `/meshes/default/dataplanes/svc-${i}`, dataplane(`svc-${i}`, `svc-${i}`, 10_000 + i)));
    await Promise.all(writes);
    await vi.waitFor(async () => expect((await vipRows(a)).filter((r) => r.service?.startsWith('svc-'))).toHaveLength(16), { timeout: 30_000, interval: 50 });
    const rows = await vipRows(b);
    expect(new Set(rows.map((r) => r.ip)).size).toBe(rows.length);
    for (let i = 0; i < 16; i++) {
      const onA = await vipOf(a, `svc-${i}`);
      expect(onA).toBeDefined();
      expect(await vipOf(b, `svc-${i}`)).toBe(onA);
    }
  }, 60_000);

  it('kill -9 of the leader: the other takes over within the lease, allocates VIPs, and no acknowledged write is lost', async () => {
    // A proxy connected to A: its insight names A; once A is gone, the leader closes the subscription.
    const aId = instanceIdOf(a);
    const proxy = await sidecar(a, 'default.web-1');
    await ldsUntil(proxy, (names) => names.includes('inbound:127.0.0.1:8080'));
    await vi.waitFor(async () => expect(await openSubscriptions(b, 'web-1')).toContain(aId), { timeout: 20_000, interval: 200 });
    const bId = instanceIdOf(b);
    // The stream to B opened by an earlier test stays open.
    expect(await openSubscriptions(b, 'web-1')).toContain(bId);

    const acknowledged: string[] = [];
    for (let i = 0; i < 10; i++) {
      await put(a, `/meshes/default/dataplanes/ack-${i}`, dataplane(`ack-${i}`, 'acked', 11_000 + i));
      acknowledged.push(`ack-${i}`);
    }
    await a.kill9();
    const killed = performance.now();
    await vi.waitFor(async () => expect(await metric(b, 'leader')).toBe(1), { timeout: 15_000, interval: 100 });
    console.log(`leadership moved ${(performance.now() - killed).toFixed(0)} ms after kill -9 (lease 5 s)`);
    await b.waitForLog(/leadership gained: starting leader-only components/);

    const names = ((await (await fetch(`${b.apiUrl}/meshes/default/dataplanes?size=1000`)).json()) as { items: { name: string }[] }).items.map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(acknowledged));

    await put(b, '/meshes/default/dataplanes/after-1', dataplane('after-1', 'after-takeover', 12_000));
    await vi.waitFor(async () => expect(await vipOf(b, 'after-takeover')).toBeDefined(), { timeout: 10_000, interval: 20 });
    const rows = await vipRows(b);
    expect(new Set(rows.map((r) => r.ip)).size).toBe(rows.length);

    // A's heartbeats stopped: B (now leader) closes the subscription A held (instance timeout 10 s, sweep every 10 s).
    await vi.waitFor(async () => expect(await openSubscriptions(b, 'web-1')).toEqual([bId]), { timeout: 40_000, interval: 500 });

    // A restarted instance follows (B keeps the lease) and serves the same answers.
    a = await a.restart();
    expect(await metric(a, 'leader')).toBe(0);
    expect(await vipOf(a, 'after-takeover')).toBe(await vipOf(b, 'after-takeover'));
  }, 120_000);

  it('Postgres restarted under load: both instances reconnect, resync and serve; no acknowledged write is lost', async () => {
    const acknowledged: string[] = [];
    let failed = 0;
    let stop = false;
    let restartedAt = Infinity;
    let afterRestart = 0;
    const loop = async (cp: CpProcess, prefix: string): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `${prefix}-${i}`;
        try {
          await put(cp, `/meshes/default/dataplanes/${name}`, dataplane(name, `load-${prefix}-${i % 3}`, 13_000 + i));
          acknowledged.push(name);
          if (performance.now() > restartedAt) afterRestart++;
        } catch {
          failed++;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const loops = [loop(a, 'load-a'), loop(b, 'load-b')];
    await vi.waitFor(() => expect(acknowledged.length).toBeGreaterThan(10), { timeout: 20_000, interval: 20 });
    await server.restart();
    restartedAt = performance.now();
    await vi.waitFor(() => expect(afterRestart).toBeGreaterThan(20), { timeout: 60_000, interval: 50 });
    stop = true;
    await Promise.all(loops);
    console.log(`restart under load: ${acknowledged.length} writes acknowledged (${afterRestart} after the restart), ${failed} refused while Postgres was down`);

    for (const cp of [a, b]) {
      await vi.waitFor(async () => {
        const names = ((await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes?size=1000`)).json()) as { items: { name: string }[] }).items.map((d) => d.name);
        expect(names).toEqual(expect.arrayContaining(acknowledged));
      }, { timeout: 10_000, interval: 200 });
      expect((await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/ready`)).status).toBe(200);
    }
    // Change events flow again: a service created through A after the restart gets a VIP (leader B) that both answer.
    await put(a, '/meshes/default/dataplanes/post-restart', dataplane('post-restart', 'post-restart', 14_000));
    await vi.waitFor(async () => expect(await vipOf(a, 'post-restart')).toBeDefined(), { timeout: 15_000, interval: 50 });
    expect(await vipOf(b, 'post-restart')).toBe(await vipOf(a, 'post-restart'));
    for (let i = 0; i < 3; i++) expect(await vipOf(a, `load-load-a-${i}`)).toBe(await vipOf(b, `load-load-a-${i}`));
  }, 120_000);
});
