import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { eventually, getJson, trafficRoute as route } from '../helpers/multizone.js';
import { zoneAuthEnv } from '../helpers/tokens.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { migrateDatabase } from '../helpers/postgres-store.js';

/**
 * Issue 11 acceptance, multizone: a global of two instances on one Postgres database and a zone of two instances
 * on another. Only the zone's leader holds a KDS stream; killing it moves the stream to the other zone instance;
 * policies flow down and Dataplanes flow up through either instance, with no duplicates.
 */
let server: PostgresServer;
let g1: CpProcess;
let g2: CpProcess;
let z1: CpProcess;
let z2: CpProcess;

const json = { 'content-type': 'application/json' };
async function put(url: string, body: object): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body: JSON.stringify(body), headers: json });
  if (res.status >= 300) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
}
const names = async (url: string): Promise<string[]> => (await getJson<{ items: { name: string }[] }>(`${url}?size=1000`)).items.map((i) => i.name).sort();

async function metric(cp: CpProcess, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/metrics`)).text();
  return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Open KDS streams of zone-1 as the global's ZoneInsight records them: the global instance holding each. */
async function openZoneStreams(g: CpProcess): Promise<string[]> {
  const o = await getJson<{ zoneInsight?: { subscriptions?: { globalInstanceId: string; disconnectTime?: string }[] } }>(`${g.apiUrl}/zones+insights/zone-1`);
  return (o.zoneInsight?.subscriptions ?? []).filter((s) => !s.disconnectTime).map((s) => s.globalInstanceId);
}

function instanceIdOf(cp: CpProcess): string {
  const ready = cp.logs().find((l) => l.includes('"kuma-cp is ready"'));
  return (JSON.parse(ready ?? '{}') as { instanceId: string }).instanceId;
}

const dataplane = (name: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] },
});

beforeAll(async () => {
  server = await startPostgres();
  const globalDb = await server.createDatabase('global');
  const zoneDb = await server.createDatabase('zone');
  await migrateDatabase(server, globalDb);
  await migrateDatabase(server, zoneDb);
  g1 = await startCp({ mode: 'global', env: server.env(globalDb) });
  g2 = await startCp({ mode: 'global', env: server.env(globalDb) });
  const zoneEnv = { ...server.env(zoneDb), KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL: '100ms', ...(await zoneAuthEnv(g1, 'zone-1')) };
  z1 = await startCp({ mode: 'zone', zone: 'zone-1', globalAddress: `grpc://127.0.0.1:${g1.ports.kds}`, env: zoneEnv });
  z2 = await startCp({ mode: 'zone', zone: 'zone-1', globalAddress: `grpc://127.0.0.1:${g2.ports.kds}`, env: zoneEnv });
}, 120_000);
afterAll(async () => {
  await stopAll();
  await server.stop();
});

describe('a global of two instances and a zone of two instances, on Postgres', () => {
  it("only the zone's leader holds a KDS stream", async () => {
    expect([await metric(z1, 'leader'), await metric(z2, 'leader')]).toEqual([1, 0]);
    await eventually(async () => (await openZoneStreams(g2)).length === 1, 'zone-1 connected');
    expect(await openZoneStreams(g1)).toEqual([instanceIdOf(g1)]);
    // Let a follower's (wrongly started) client have time to connect; the count stays one.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await metric(g1, 'kds_zone_active_connections')) + (await metric(g2, 'kds_zone_active_connections'))).toBe(1);
    expect(z2.logs().some((l) => l.includes('"component":"kds-client"'))).toBe(false);
  }, 60_000);

  it('policies flow down from either global instance to both zone instances; Dataplanes flow up from either zone instance', async () => {
    await put(`${g2.apiUrl}/meshes/default/traffic-routes/from-g2`, route('from-g2'));
    await put(`${g1.apiUrl}/meshes/default/traffic-routes/from-g1`, route('from-g1'));
    for (const z of [z1, z2]) {
      await eventually(async () => (await names(`${z.apiUrl}/meshes/default/traffic-routes`)).includes('from-g2'), 'from-g2 on the zone');
      await eventually(async () => (await names(`${z.apiUrl}/meshes/default/traffic-routes`)).includes('from-g1'), 'from-g1 on the zone');
    }
    await put(`${z2.apiUrl}/meshes/default/dataplanes/dp-on-z2`, dataplane('dp-on-z2'));
    await put(`${z1.apiUrl}/meshes/default/dataplanes/dp-on-z1`, dataplane('dp-on-z1'));
    for (const g of [g1, g2]) {
      await eventually(async () => {
        const dps = await names(`${g.apiUrl}/meshes/default/dataplanes`);
        return dps.includes('zone-1.dp-on-z1') && dps.includes('zone-1.dp-on-z2');
      }, 'both Dataplanes on the global');
    }
  }, 90_000);

  it('kill -9 of the zone leader moves the stream to the other zone instance; both directions keep flowing, without duplicates', async () => {
    await z1.kill9();
    await eventually(async () => (await metric(z2, 'leader')) === 1, 'the other zone instance leads', 20_000);
    await eventually(async () => {
      const open = [...(await openZoneStreams(g1))];
      return open.length === 1 && open[0] === instanceIdOf(g2);
    }, 'one stream, now to the global instance z2 dials', 30_000);
    expect((await metric(g1, 'kds_zone_active_connections')) + (await metric(g2, 'kds_zone_active_connections'))).toBe(1);

    await put(`${g1.apiUrl}/meshes/default/traffic-routes/after-failover`, route('after-failover'));
    await eventually(async () => (await names(`${z2.apiUrl}/meshes/default/traffic-routes`)).includes('after-failover'), 'a policy after failover');
    await put(`${z2.apiUrl}/meshes/default/dataplanes/dp-after`, dataplane('dp-after'));
    await eventually(async () => (await names(`${g1.apiUrl}/meshes/default/dataplanes`)).includes('zone-1.dp-after'), 'a Dataplane after failover');

    const routes = await names(`${z2.apiUrl}/meshes/default/traffic-routes`);
    expect(routes.filter((r) => r.startsWith('from-') || r === 'after-failover')).toEqual(['after-failover', 'from-g1', 'from-g2']);
    expect(new Set(routes).size).toBe(routes.length);
    const dps = await names(`${g2.apiUrl}/meshes/default/dataplanes`);
    expect(dps).toEqual(['zone-1.dp-after', 'zone-1.dp-on-z1', 'zone-1.dp-on-z2']);
  }, 120_000);
});
