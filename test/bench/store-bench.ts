/**
 * Store bench: the Postgres store (a real Postgres 15 started for the bench, on a free loopback port) against the
 * embedded SQLite store (file, WAL, synchronous=FULL) as the same-run baseline:
 *   1. 10,000 Dataplane creates, one commit each, awaited one after another (what API writes do),
 *   2. the same 10,000 creates with 16 writers at once (several API clients, or several instances),
 *   3. one list of the 10,000 Dataplanes,
 *   4. delete of their Mesh (cascade of 10,000) .
 * Run alone after a build: `node dist/test/bench/store-bench.js [N]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configureLogging } from '../../src/core/logging.js';
import type { ResourceStore } from '../../src/core/store/resource-store.js';
import { SqliteStore } from '../../src/plugins/store/sqlite/sqlite-store.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { newPostgresStore } from '../helpers/postgres-store.js';
import { report, type Figure } from './report.js';

export interface StoreBenchRow {
  readonly figure: string;
  readonly ms: number;
  readonly baseline: string;
  readonly baselineMs: number;
}

const dataplaneSpec = (i: number): Record<string, unknown> => ({
  networking: {
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    inbound: [{ port: 8080, servicePort: 80, tags: { 'kuma.io/service': `svc-${i % 100}`, version: 'v1', zone: 'zone-1' } }],
    outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
  },
});

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

interface Figures {
  sequential: number;
  concurrent: number;
  list: number;
  cascade: number;
}

async function measure(store: ResourceStore, n: number): Promise<Figures> {
  await store.create('Mesh', { mesh: '', name: 'seq' }, {});
  await store.create('Mesh', { mesh: '', name: 'par' }, {});
  const sequential = await timed(async () => {
    for (let i = 0; i < n; i++) await store.create('Dataplane', { mesh: 'seq', name: `dp-${i}` }, dataplaneSpec(i));
  });
  const concurrent = await timed(async () => {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < n; i = next++) await store.create('Dataplane', { mesh: 'par', name: `dp-${i}` }, dataplaneSpec(i));
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  });
  let listed = 0;
  const list = await timed(async () => (listed = (await store.list('Dataplane', { mesh: 'seq' })).length));
  if (listed !== n) throw new Error(`listed ${listed} of ${n}`);
  const cascade = await timed(() => store.delete('Mesh', { mesh: '', name: 'seq' }));
  return { sequential, concurrent, list, cascade };
}

export async function runStoreBench(n = 10_000): Promise<StoreBenchRow[]> {
  configureLogging('off');
  const dir = mkdtempSync(join(tmpdir(), 'store-bench-'));
  const server = await startPostgres({ durable: true });
  try {
    const sqlite = new SqliteStore(join(dir, 'kuma.db'));
    const base = await measure(sqlite, n);
    await sqlite.close();
    const { store } = await newPostgresStore(server, 'bench');
    const pg = await measure(store, n);
    await store.close();
    const baseline = 'sqlite (file, WAL, synchronous=FULL)';
    const rows: StoreBenchRow[] = [
      { figure: `postgres: ${n} creates, one after another`, ms: pg.sequential, baseline, baselineMs: base.sequential },
      { figure: `postgres: ${n} creates, 16 writers`, ms: pg.concurrent, baseline, baselineMs: base.concurrent },
      { figure: `postgres: list ${n} Dataplanes`, ms: pg.list, baseline, baselineMs: base.list },
      { figure: `postgres: delete Mesh (cascade of ${n})`, ms: pg.cascade, baseline, baselineMs: base.cascade },
    ];
    // One table and one JSON line per figure, like every bench (the baseline: the SQLite store, same run).
    const figure = (metric: string, ms: number, baselineMs: number): Figure => ({ metric, value: ms, unit: 'ms', baseline: baselineMs, baselineLabel: baseline });
    report('store', `Store bench: ${n} Dataplanes, Postgres 15 on the same machine (fsync on; every commit waits for its WAL flush)`, [
      { metric: 'dataplanes', value: n, unit: 'count' },
      figure('create_sequential_ms', pg.sequential, base.sequential),
      figure('create_16_writers_ms', pg.concurrent, base.concurrent),
      { metric: 'create_sequential_us_per_op', value: (pg.sequential * 1000) / n, unit: 'us', baseline: (base.sequential * 1000) / n, baselineLabel: baseline },
      figure('list_ms', pg.list, base.list),
      figure('delete_mesh_cascade_ms', pg.cascade, base.cascade),
    ]);
    return rows;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runStoreBench(Number(process.argv[2] ?? 10_000));
}
