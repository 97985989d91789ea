import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, node } from '../../helpers/ads-client.js';
import { startFlooder, type Flooder } from '../../helpers/connection-flooder.js';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { dataplaneToken } from '../../helpers/tokens.js';

/**
 * Attack: more idle connections than the process has file descriptors, under a small `ulimit -n` (512).
 * Defence guarded: the process-wide connection budget (transport/connection-budget.ts), derived from
 * RLIMIT_NOFILE and shared by every port, with a reserve per port. Without it the per-port caps (8,192 on
 * each of 7 ports) are far above the limit: the CP accepted until EMFILE and then no port accepted anyone,
 * the diagnostics port included. Now the flooded ports fill their part of the budget and refuse the rest
 * at once, every other port keeps its reserve, and the CP never reaches its descriptor limit.
 */
const NOFILE = 512;
/** 512 - 128 (base reserve) - 52 (a tenth of the limit). */
const BUDGET = 332;

let cp: CpProcess;
const flooders: Flooder[] = [];

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;
const metrics = async (): Promise<string> => (await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/metrics`)).text();
const metric = (text: string, name: string): number => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

beforeAll(async () => {
  cp = await startCp({ openFileLimit: NOFILE, env: { KUMA_STORE_TYPE: 'memory', KUMA_GENERAL_IDLE_CONNECTION_TIMEOUT: '120s' } });
  const dp = { type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } };
  expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1`, { method: 'PUT', body: JSON.stringify(dp) })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  for (const f of flooders) f.kill();
  await stopAll();
});

/** A data plane from 127.0.0.1 gets its clusters over ADS. */
async function adsServes(): Promise<void> {
  const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer ?? 0}`);
  const s = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
  s.send({ type_url: CDS, node: node({ id: 'default.web-1' }) });
  expect((await s.next(CDS, 10_000)).type_url).toBe(CDS);
  s.close();
  client.close();
}

describe(`connection budget under ulimit -n ${NOFILE}`, () => {
  it('the budget is derived from the open-file limit and shown on /metrics', async () => {
    const text = await metrics();
    expect(metric(text, 'cp_open_file_limit')).toBe(NOFILE);
    expect(metric(text, 'cp_connection_budget')).toBe(BUDGET);
    expect(cp.logs().some((l) => l.includes('"msg":"connection budget"') && l.includes(`"budget":${BUDGET}`))).toBe(true);
  });

  it('flooding one port fills only its part: the other ports keep answering and the CP never hits EMFILE', async () => {
    const token = await dataplaneToken(cp, { name: 'web-1' });
    flooders.push(await startFlooder([cp.ports.api], 1500, '127.0.0.3'));
    await expect.poll(async () => metric(await metrics(), 'cp_connections_open{server="api-server"}'), { timeout: 20_000 }).toBeGreaterThan(150);
    const text = await metrics();
    const onApi = metric(text, 'cp_connections_open{server="api-server"}');
    expect(onApi).toBeLessThan(BUDGET);
    expect(metric(text, 'cp_connections_refused_total{server="api-server",reason="budget"}')).toBeGreaterThan(1000);
    // The other ports still accept: ADS, bootstrap, the HTTPS API, diagnostics (just scraped).
    await adsServes();
    expect((await fetch(`http://127.0.0.1:${cp.ports.bootstrap ?? 0}/bootstrap/grpc?mesh=default&name=web-1`, { headers: { authorization: token } })).status).toBe(200);
    expect(openFds(cp.pid)).toBeLessThan(NOFILE - 50);
  }, 60_000);

  it('flooding every TCP port from several addresses still leaves the CP under its limit, logging once per interval', async () => {
    const ports = [cp.ports.api, cp.ports.apiHttps ?? 0, cp.ports.dpServer ?? 0, cp.ports.bootstrap ?? 0, cp.ports.dnsTcp ?? 0];
    flooders.push(...(await Promise.all(['127.0.0.4', '127.0.0.5'].map((src) => startFlooder(ports, 2000, src)))));
    await expect.poll(async () => metric(await metrics(), 'cp_connections_refused_total{server="dp-server",reason="budget"}'), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(openFds(cp.pid)).toBeLessThan(NOFILE);
    // Diagnostics keeps its reserve: /ready and /metrics answer.
    expect((await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/ready`)).status).toBe(200);
    const logs = cp.logs();
    expect(logs.filter((l) => /EMFILE|accepting a connection failed/.test(l))).toEqual([]);
    expect(logs.filter((l) => l.includes('over the process connection budget')).length).toBeLessThan(5);
    // Once the attackers leave, their descriptors come back and every port serves again.
    for (const f of flooders.splice(0)) f.kill();
    await expect.poll(async () => metric(await metrics(), 'cp_connections_open{server="api-server"}'), { timeout: 20_000 }).toBeLessThan(5);
    expect((await fetch(`${cp.apiUrl}/meshes/default`)).status).toBe(200);
    await adsServes();
  }, 90_000);
});
