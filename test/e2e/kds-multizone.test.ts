import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataplaneToken } from '../helpers/tokens.js';
import { AdsTestClient, CDS, LDS, ack, node, resourceNames } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { dnsA, eventually as eventuallyWithin, getJson, putJson as put, startZone } from '../helpers/multizone.js';

afterAll(stopAll);

const del = (url: string): Promise<Response> => fetch(url, { method: 'DELETE' });
const status = async (url: string): Promise<number> => (await fetch(url)).status;
const names = async (url: string): Promise<string[]> => (await getJson<{ items: { name: string }[] }>(`${url}?size=1000`)).items.map((i) => i.name).sort();
const total = async (url: string): Promise<number> => (await getJson<{ total: number }>(`${url}?size=1`)).total;

const eventually = (check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => eventuallyWithin(check, what, timeoutMs);

const route = (name: string, service = 'backend') => ({
  type: 'TrafficRoute',
  mesh: 'default',
  name,
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': service } }],
  conf: { destination: { 'kuma.io/service': service } },
});
const dataplane = (name: string, service = 'web', address = '10.0.0.1') => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address, inbound: [{ port: 8080, tags: { 'kuma.io/service': service } }] },
});

const ingress = (name: string, zone: string) => ({
  type: 'ZoneIngress',
  name,
  zone,
  networking: { address: '127.0.0.1', port: 10001, advertisedAddress: '192.0.2.1', advertisedPort: 10001 },
});

/** A data plane's first CDS and LDS from a zone's ADS server, acknowledged; the stream is closed after. */
async function adsConfig(zone: CpProcess, dp: string): Promise<{ clusters: string[]; listeners: string[] }> {
  const client = new AdsTestClient(`127.0.0.1:${zone.ports.dpServer ?? 0}`);
  try {
    const s = client.sotw(await dataplaneToken(zone, { name: dp }));
    s.send({ type_url: CDS, node: node({ id: `default.${dp}` }) }).send({ type_url: LDS });
    const cds = await s.next(CDS);
    const lds = await s.next(LDS);
    s.send(ack(cds)).send(ack(lds));
    const out = { clusters: resourceNames(cds), listeners: resourceNames(lds) };
    s.close();
    return out;
  } finally {
    client.close();
  }
}



describe('multizone KDS: a global and two zones, each its own process and SQLite file', () => {
  let global: CpProcess;
  let zone1: CpProcess;
  let zone2: CpProcess;

  beforeAll(async () => {
    global = await startCp({ mode: 'global' });
    expect(global.ports.kds).toBeGreaterThan(0);
    [zone1, zone2] = await Promise.all([startZone('zone-1', global, { mode: 'remote' }), startZone('zone-2', global, { mode: 'remote' })]);
    for (const z of [zone1, zone2]) await eventually(async () => (await status(`${z.apiUrl}/meshes/default`)) === 200, 'default mesh on the zone');
  }, 60_000);

  it('a policy PUT on the global appears on both zones, read-only there; deleting it removes it', async () => {
    expect((await put(`${global.apiUrl}/meshes/default/traffic-routes/r1`, route('r1'))).status).toBe(201);
    for (const z of [zone1, zone2]) {
      await eventually(async () => (await status(`${z.apiUrl}/meshes/default/traffic-routes/r1`)) === 200, 'route on zone');
      const onZone = await getJson<Record<string, unknown>>(`${z.apiUrl}/meshes/default/traffic-routes/r1`);
      expect(onZone['destinations']).toEqual(route('r1').destinations);
      expect((await put(`${z.apiUrl}/meshes/default/traffic-routes/r1`, route('r1', 'other'))).status).toBe(405);
      expect((await del(`${z.apiUrl}/meshes/default/traffic-routes/r1`)).status).toBe(405);
    }
    expect((await del(`${global.apiUrl}/meshes/default/traffic-routes/r1`)).status).toBe(200);
    for (const z of [zone1, zone2]) await eventually(async () => (await status(`${z.apiUrl}/meshes/default/traffic-routes/r1`)) === 404, 'route removed');
  });

  it('a Dataplane PUT on zone-1 appears on the global as zone-1.<name>, read-only there', async () => {
    expect((await put(`${zone1.apiUrl}/meshes/default/dataplanes/dp-1`, dataplane('dp-1'))).status).toBe(201);
    expect((await put(`${zone2.apiUrl}/meshes/default/dataplanes/dp-1`, dataplane('dp-1', 'api', '10.0.0.2'))).status).toBe(201);
    await eventually(async () => (await names(`${global.apiUrl}/meshes/default/dataplanes`)).length === 2, 'both dataplanes on the global');
    expect(await names(`${global.apiUrl}/meshes/default/dataplanes`)).toEqual(['zone-1.dp-1', 'zone-2.dp-1']);
    const copy = await getJson<{ networking: unknown }>(`${global.apiUrl}/meshes/default/dataplanes/zone-1.dp-1`);
    expect(copy.networking).toEqual(dataplane('dp-1').networking);
    expect((await put(`${global.apiUrl}/meshes/default/dataplanes/zone-1.dp-1`, dataplane('zone-1.dp-1', 'x'))).status).toBe(405);
    expect((await del(`${global.apiUrl}/meshes/default/dataplanes/zone-1.dp-1`)).status).toBe(405);
    // Zones never receive each other's dataplanes.
    expect(await names(`${zone1.apiUrl}/meshes/default/dataplanes`)).toEqual(['dp-1']);
  });

  it("a ZoneIngress PUT on zone-2 reaches the global and zone-1 as zone-2.<name>, never comes back to zone-2, and is read-only where it arrives", async () => {
    expect((await put(`${zone2.apiUrl}/zoneingresses/ingress`, ingress('ingress', 'zone-2'))).status).toBe(201);
    await eventually(async () => (await status(`${global.apiUrl}/zoneingresses/zone-2.ingress`)) === 200, 'ingress on the global');
    await eventually(async () => (await status(`${zone1.apiUrl}/zoneingresses/zone-2.ingress`)) === 200, 'ingress on zone-1');
    const onZone1 = await getJson<{ networking: unknown; labels?: Record<string, string> }>(`${zone1.apiUrl}/zoneingresses/zone-2.ingress`);
    expect(onZone1.networking).toEqual(ingress('ingress', 'zone-2').networking);
    // zone-2 keeps only its own ingress; the global never sends it back under the prefixed name.
    expect(await names(`${zone2.apiUrl}/zoneingresses`)).toEqual(['ingress']);
    expect(await names(`${global.apiUrl}/zoneingresses`)).toEqual(['zone-2.ingress']);
    expect((await put(`${zone1.apiUrl}/zoneingresses/zone-2.ingress`, ingress('zone-2.ingress', 'zone-2'))).status).toBe(405);
    expect((await del(`${global.apiUrl}/zoneingresses/zone-2.ingress`)).status).toBe(405);
  });

  it('a data plane connected to zone-1 over ADS shows up with its insight on the global', async () => {
    const { listeners } = await adsConfig(zone1, 'dp-1');
    expect(listeners).toContain('inbound:10.0.0.1:8080');
    await eventually(async () => {
      const o = await getJson<{ dataplaneInsight?: { subscriptions?: { connectTime?: string }[] } }>(`${global.apiUrl}/meshes/default/dataplanes+insights/zone-1.dp-1`);
      return (o.dataplaneInsight?.subscriptions?.length ?? 0) > 0;
    }, 'DataplaneInsight of zone-1.dp-1 on the global');
    expect((await getJson<{ total: number }>(`${global.apiUrl}/meshes/default/dataplane-insights`)).total).toBe(1);
  });

  it('/status/zones and /zones+insights show both zones connected', async () => {
    await eventually(async () => {
      const s = await getJson<{ name: string; active: boolean }[]>(`${global.apiUrl}/status/zones`);
      return JSON.stringify(s) === JSON.stringify([{ name: 'zone-1', active: true }, { name: 'zone-2', active: true }]);
    }, 'both zones active');
    const overview = await getJson<{ zone: { enabled: boolean }; zoneInsight: { subscriptions: { connectTime: string; disconnectTime?: string; status: { stat: Record<string, unknown> } }[] } }>(
      `${global.apiUrl}/zones+insights/zone-1`,
    );
    expect(overview.zone.enabled).toBe(true);
    const last = overview.zoneInsight.subscriptions.at(-1);
    expect(last?.connectTime).toBeTruthy();
    expect(last?.disconnectTime).toBeUndefined();
    await eventually(async () => {
      const o = await getJson<typeof overview>(`${global.apiUrl}/zones+insights/zone-1`);
      return 'Dataplane' in (o.zoneInsight.subscriptions.at(-1)?.status.stat ?? {});
    }, 'per-type counters');
  });

  it('zones keep serving while the global is down; after a restart it converges without duplicates or losses', async () => {
    expect((await put(`${global.apiUrl}/meshes/default/traffic-routes/before`, route('before'))).status).toBe(201);
    for (const z of [zone1, zone2]) await eventually(async () => (await status(`${z.apiUrl}/meshes/default/traffic-routes/before`)) === 200, 'route on zone');
    await eventually(async () => (await dnsA(zone1, 'web.mesh')).length === 1, 'a VIP for web.mesh on zone-1');
    const vip = await dnsA(zone1, 'web.mesh');
    expect(await global.stop()).toBe(0);
    await zone1.waitForLog(/"msg":"disconnected from global"/);
    // The zones still answer from their own copy: a new data plane connection gets its config, DNS answers...
    const { clusters, listeners } = await adsConfig(zone1, 'dp-1');
    expect(listeners).toContain('inbound:10.0.0.1:8080');
    expect(clusters.length).toBeGreaterThan(0);
    expect(await dnsA(zone1, 'web.mesh')).toEqual(vip);
    // ...the REST API serves the synced policies, and the zone still accepts its own dataplanes.
    for (const z of [zone1, zone2]) expect(await status(`${z.apiUrl}/meshes/default/traffic-routes/before`)).toBe(200);
    expect((await put(`${zone1.apiUrl}/meshes/default/dataplanes/dp-2`, dataplane('dp-2', 'web', '10.0.0.3'))).status).toBe(201);
    expect((await del(`${zone2.apiUrl}/meshes/default/dataplanes/dp-1`)).status).toBe(200);

    global = await global.restart();
    await eventually(async () => (await names(`${global.apiUrl}/meshes/default/dataplanes`)).join() === 'zone-1.dp-1,zone-1.dp-2', 'zone changes made while down', 30_000);
    expect((await put(`${global.apiUrl}/meshes/default/traffic-routes/after`, route('after'))).status).toBe(201);
    const globalRoutes = await names(`${global.apiUrl}/meshes/default/traffic-routes`);
    for (const z of [zone1, zone2]) {
      await eventually(async () => (await names(`${z.apiUrl}/meshes/default/traffic-routes`)).join() === globalRoutes.join(), 'same routes on zone as on global');
    }
    await eventually(async () => {
      const s = await getJson<{ name: string; active: boolean }[]>(`${global.apiUrl}/status/zones`);
      return s.every((z) => z.active) && s.length === 2;
    }, 'zones active again');
  }, 90_000);

  it('a second zone CP claiming a connected zone name without its token is refused with a clear error', async () => {
    const impostor = await startCp({ mode: 'remote', zone: 'zone-1', globalAddress: `grpc://127.0.0.1:${global.ports.kds ?? 0}` });
    const line = await impostor.waitForLog(/could not connect to global/);
    expect(line).toMatch(/UNAUTHENTICATED: no zone token/);
    await impostor.stop();
    // The real zone-1 is unaffected.
    expect((await put(`${zone1.apiUrl}/meshes/default/dataplanes/dp-3`, dataplane('dp-3', 'web', '10.0.0.4'))).status).toBe(201);
    await eventually(async () => (await status(`${global.apiUrl}/meshes/default/dataplanes/zone-1.dp-3`)) === 200, 'zone-1 still syncs');
  }, 60_000);

  it('disabling a zone drops its stream and stops its sync until it is enabled again', async () => {
    expect((await put(`${global.apiUrl}/zones/zone-2`, { type: 'Zone', name: 'zone-2', enabled: false })).status).toBe(200);
    await eventually(async () => {
      const s = await getJson<{ name: string; active: boolean }[]>(`${global.apiUrl}/status/zones`);
      return s.find((z) => z.name === 'zone-2')?.active === false;
    }, 'zone-2 inactive');
    await zone2.waitForLog(/zone zone-2 is disabled/);
    // The global stops exporting the disabled zone's ingress.
    await eventually(async () => (await status(`${zone1.apiUrl}/zoneingresses/zone-2.ingress`)) === 404, "zone-2's ingress gone from zone-1");
    expect((await put(`${global.apiUrl}/meshes/default/traffic-routes/while-disabled`, route('while-disabled'))).status).toBe(201);
    await eventually(async () => (await status(`${zone1.apiUrl}/meshes/default/traffic-routes/while-disabled`)) === 200, 'zone-1 gets it');
    expect(await status(`${zone2.apiUrl}/meshes/default/traffic-routes/while-disabled`)).toBe(404);

    expect((await put(`${global.apiUrl}/zones/zone-2`, { type: 'Zone', name: 'zone-2', enabled: true })).status).toBe(200);
    await eventually(async () => (await status(`${zone2.apiUrl}/meshes/default/traffic-routes/while-disabled`)) === 200, 'zone-2 gets it after enabling', 30_000);
    await eventually(async () => (await status(`${zone1.apiUrl}/zoneingresses/zone-2.ingress`)) === 200, "zone-2's ingress back on zone-1");
  }, 60_000);
});

describe('multizone KDS under load', () => {
  it('moves thousands of resources both ways at the same time with a small message limit (no deadlock)', async () => {
    const small = { KUMA_MULTIZONE_GLOBAL_KDS_MAX_MSG_SIZE: String(64 * 1024) };
    const global = await startCp({ mode: 'global', env: small });
    const zone = await startZone('zone-1', global, { mode: 'remote', env: small });
    await eventually(async () => (await status(`${zone.apiUrl}/meshes/default`)) === 200, 'mesh on zone');
    const N = 2000;
    const policiesBefore = await total(`${global.apiUrl}/meshes/default/traffic-routes`);
    await Promise.all([
      putMany(N, (i) => [`${global.apiUrl}/meshes/default/traffic-routes/route-${i}`, route(`route-${i}`, `svc-${i}`)]),
      putMany(N, (i) => [`${zone.apiUrl}/meshes/default/dataplanes/dp-${i}`, dataplane(`dp-${i}`, `svc-${i}`, `10.1.${Math.floor(i / 250)}.${i % 250}`)]),
    ]);
    await eventually(async () => (await total(`${zone.apiUrl}/meshes/default/traffic-routes`)) === policiesBefore + N, `${N} routes on the zone`, 60_000);
    await eventually(async () => (await total(`${global.apiUrl}/meshes/default/dataplanes`)) === N, `${N} dataplanes on the global`, 60_000);
  }, 180_000);
});

/** PUTs with bounded concurrency; every one must succeed. */
async function putMany(n: number, item: (i: number) => [string, object], concurrency = 32): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const [url, body] = item(next++);
      const res = await put(url, body);
      if (res.status !== 201) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
