/**
 * KDS bench: spawns a global and a zone CP (built daemon, own SQLite files) and measures
 *   1. time for N policies on the global to reach a freshly connected zone,
 *   2. time for M Dataplanes in a zone's store to reach the global after the zone (re)connects,
 *   3. latency from a policy change on the global to the zone's store (median of K changes),
 *   4. latency from a mesh-wide Timeout change on the global until P sidecars connected to the zone have
 *      ACKed their new config (`change_to_proxy_ack_p99_ms`, over K changes; the client is the xDS bench's),
 * each against a baseline measured in the same run on the same machine:
 *   1./2. writing the same resources into a local SQLite store in one transaction (what the receiving side
 *         must do at least), 3. a PUT then GET of the same policy on the global itself, 4. the policy
 *   change reaching the zone's store (3., p99).
 * Run alone after a build: `node dist/test/bench/kds-bench.js [N] [M]`; `npm run bench -- kds --profile` profiles the zone
 * during 4., `--cp-main <other build>/dist/src/cli/main.js` runs another build's daemons under this bench.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configureLogging } from '../../src/core/logging.js';
import { DefaultResourceManager } from '../../src/core/manager/manager-impl.js';
import type { BatchWrite } from '../../src/core/store/resource-store.js';
import { SqliteStore } from '../../src/plugins/store/sqlite/sqlite-store.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { zoneAuthEnv } from '../helpers/tokens.js';
import { printProfileFile, profilerEnv, toggleProfiler } from './daemon-profiler.js';
import { report, type Figure } from './report.js';
import { percentile } from './dns-probe.js';
import { Child, connect } from './xds-bench.js';

export interface KdsBenchOptions {
  readonly policies?: number;
  readonly dataplanes?: number;
  readonly latencySamples?: number;
  /** Sidecars connected to the zone for `change_to_proxy_ack_p99_ms`. */
  readonly proxies?: number;
  /** CPU-profile the zone CP during step 4 and print its top functions. */
  readonly profile?: boolean;
  /** Another build's daemon entry point (dist/src/cli/main.js) for both CPs, to compare builds with the same bench. */
  readonly cpMain?: string;
}

const routeSpec = (service: string) => ({
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': service } }],
  conf: { destination: { 'kuma.io/service': service } },
});
const dataplaneSpec = (i: number) => ({
  networking: { address: `10.${Math.floor(i / 65536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${i % 500}` } }] },
});

const tmpDb = (): string => join(mkdtempSync(join(tmpdir(), 'kds-bench-')), 'kuma.db');

/** A local SQLite store with the default mesh; `write` times one validated transaction of the given writes. */
async function localStore(): Promise<{ manager: DefaultResourceManager; store: SqliteStore; write: (w: BatchWrite[]) => Promise<number> }> {
  const store = new SqliteStore(tmpDb());
  const manager = new DefaultResourceManager(store, { meshDefaults: true });
  await manager.create('Mesh', { name: 'default', mesh: '' }, {});
  return {
    manager,
    store,
    write: async (writes) => {
      const t = performance.now();
      await manager.transact(writes);
      return performance.now() - t;
    },
  };
}

const routes = (n: number): BatchWrite[] =>
  Array.from({ length: n }, (_, i) => ({ op: 'create', type: 'TrafficRoute' as const, key: { mesh: 'default', name: `route-${i}` }, spec: routeSpec(`svc-${i}`) }));
const dataplanes = (m: number): BatchWrite[] =>
  Array.from({ length: m }, (_, i) => ({ op: 'create', type: 'Dataplane' as const, key: { mesh: 'default', name: `dp-${i}` }, spec: dataplaneSpec(i) }));

async function total(url: string): Promise<number> {
  const res = await fetch(`${url}?size=1`);
  if (res.status !== 200) return -1;
  return ((await res.json()) as { total: number }).total;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 90_000, pollMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const put = async (url: string, body: object): Promise<void> => {
  const res = await fetch(url, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (res.status !== 200 && res.status !== 201) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export async function runKdsBench(options: KdsBenchOptions = {}): Promise<Figure[]> {
  const N = options.policies ?? 10_000;
  const M = options.dataplanes ?? 5_000;
  const K = options.latencySamples ?? 30;
  const P = options.proxies ?? 20;
  configureLogging('off');
  const rows: Figure[] = [];
  const work = options.profile ? mkdtempSync(join(tmpdir(), 'kds-bench-profile-')) : undefined;
  const profileFile = work ? join(work, 'zone.cpuprofile') : undefined;
  const main = options.cpMain ? { main: options.cpMain } : {};
  try {
    // Baselines: the same resources written into a local SQLite store in one transaction.
    const base = await localStore();
    const routesBaseline = await base.write(routes(N));
    const dpBaseline = await base.write(dataplanes(M));
    await base.store.close();

    // 1. N policies reach a zone that connects to a global holding them.
    const globalDb = tmpDb();
    const seed = new SqliteStore(globalDb);
    const seedManager = new DefaultResourceManager(seed, { meshDefaults: true });
    await seedManager.create('Mesh', { name: 'default', mesh: '' }, {});
    await seedManager.transact(routes(N));
    await seed.close();
    const global = await startCp({ mode: 'global', dbPath: globalDb, startTimeoutMs: 60_000, ...main });
    const globalRoutes = await total(`${global.apiUrl}/meshes/default/traffic-routes`);
    // Sidecars of step 4 connect without a data-plane token (the bench measures sync, not the token check).
    const zoneEnv = { ...(await zoneAuthEnv(global, 'zone-1')), KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none', ...(profileFile ? profilerEnv(profileFile) : {}) };
    let zone = await startCp({ mode: 'remote', zone: 'zone-1', globalAddress: `grpc://127.0.0.1:${global.ports.kds ?? 0}`, env: zoneEnv, ...main });
    await zone.waitForLog(/"msg":"connected to global"/);
    let t = performance.now();
    await until(async () => (await total(`${zone.apiUrl}/meshes/default/traffic-routes`)) === globalRoutes, `${N} policies on the zone`);
    rows.push({ metric: 'policies_to_remote_ms', value: performance.now() - t, unit: 'ms', baseline: routesBaseline, baselineLabel: `local SQLite tx of ${N} policies`, note: `${N} policies` });

    // 2. M Dataplanes in the zone's store reach the global when the zone (re)connects. They are written into
    //    the stopped zone's SQLite file directly: M API calls would dominate the run time and measure the API.
    await zone.stop();
    const zoneSeed = new SqliteStore(zone.dbPath);
    await new DefaultResourceManager(zoneSeed, { meshDefaults: false }).transact(dataplanes(M));
    await zoneSeed.close();
    zone = await zone.restart();
    await zone.waitForLog(/"msg":"connected to global"/, 30_000);
    t = performance.now();
    await until(async () => (await total(`${global.apiUrl}/meshes/default/dataplanes`)) === M, `${M} dataplanes on the global`);
    rows.push({ metric: 'dataplanes_to_global_ms', value: performance.now() - t, unit: 'ms', baseline: dpBaseline, baselineLabel: `local SQLite tx of ${M} dataplanes`, note: `${M} dataplanes` });

    // 3. Policy change on the global -> visible in the zone's store (read through its API).
    const kds: number[] = [];
    const local: number[] = [];
    const url = (cp: CpProcess): string => `${cp.apiUrl}/meshes/default/traffic-routes/latency`;
    const seen = async (cp: CpProcess, service: string): Promise<boolean> => {
      const res = await fetch(url(cp));
      return res.status === 200 && JSON.stringify(await res.json()).includes(`"${service}"`);
    };
    for (let i = 0; i < K; i++) {
      const service = `latency-${i}`;
      const t0 = performance.now();
      await put(url(global), { type: 'TrafficRoute', mesh: 'default', name: 'latency', ...routeSpec(service) });
      await until(() => seen(global, service), 'change on the global', 10_000, 1);
      local.push(performance.now() - t0);
      await until(() => seen(zone, service), 'change on the zone', 10_000, 1);
      kds.push(performance.now() - t0);
    }
    rows.push({ metric: 'change_to_zone_store_p50_ms', value: median(kds), unit: 'ms', baseline: median(local), baselineLabel: 'PUT + GET on the global itself', note: `median of ${K}` });

    // 4. Policy change on the global -> ACKed by every sidecar connected to the zone.
    const acked = await changeToProxyAck(global, zone, P, K, profileFile);
    rows.push({
      metric: 'change_to_proxy_ack_p99_ms',
      value: percentile(acked, 99),
      unit: 'ms',
      baseline: percentile(kds, 99),
      baselineLabel: 'policy change to the zone store (3., p99)',
      note: `${P} sidecars, ${K} changes`,
    });
  } finally {
    await stopAll();
    if (work) rmSync(work, { recursive: true, force: true });
  }
  report('kds', 'KDS bench', rows);
  return rows;
}

/**
 * P sidecars (each with one outbound to svc-1) connect to the zone; K Timeout changes on the global, each until all ACKed.
 * With `profileFile` the zone is CPU-profiled over the K changes.
 */
async function changeToProxyAck(global: CpProcess, zone: CpProcess, proxies: number, changes: number, profileFile?: string): Promise<number[]> {
  const ids: string[] = [];
  for (let i = 0; i < proxies; i++) {
    const name = `probe-${i}`;
    await put(`${zone.apiUrl}/meshes/default/dataplanes/${name}`, {
      type: 'Dataplane',
      mesh: 'default',
      name,
      networking: { address: `127.1.0.${i + 1}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': 'probe' } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': 'svc-1' } }] },
    });
    ids.push(`default.${name}`);
  }
  const client = new Child('client');
  try {
    await connect(client, zone.pid, `127.0.0.1:${zone.ports.dpServer ?? 0}`, ids);
    const out: number[] = [];
    if (profileFile) await toggleProfiler(zone);
    const from = process.hrtime.bigint();
    for (let k = 0; k < changes; k++) {
      client.send({ cmd: 'arm', record: false, timeoutMs: 30_000 });
      await client.next('armed', 10_000);
      const t0 = process.hrtime.bigint();
      await put(`${global.apiUrl}/meshes/default/timeouts/timeout-all-default`, {
        type: 'Timeout',
        mesh: 'default',
        name: 'timeout-all-default',
        sources: [{ match: { 'kuma.io/service': '*' } }],
        destinations: [{ match: { 'kuma.io/service': '*' } }],
        conf: { connectTimeout: `${10 + k}s` },
      });
      const changed = await client.next('changed', 60_000);
      if (!changed.complete) throw new Error(`change ${k}: only ${changed.done} of ${proxies} sidecars ACKed`);
      out.push(Number(BigInt(changed.lastAckNs) - t0) / 1e6);
    }
    if (profileFile) {
      const to = process.hrtime.bigint();
      await toggleProfiler(zone);
      printProfileFile(profileFile, `KDS bench: zone CP main-thread CPU profile, ${changes} changes ACKed by ${proxies} sidecars`, from, to, 25);
    }
    return out;
  } finally {
    await client.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, m] = process.argv.slice(2).map(Number);
  await runKdsBench({ ...(n ? { policies: n } : {}), ...(m ? { dataplanes: m } : {}) });
}
