/**
 * Rough timings of 10,000 Dataplanes in each store (not a test: no assertions, numbers are machine-dependent).
 * Run: npx vite-node test/contract/store-timings.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configureLogging } from '../../src/core/logging.js';
import type { BatchWrite, ResourceStore } from '../../src/core/store/resource-store.js';
import { MemoryStore } from '../../src/plugins/store/memory/memory-store.js';
import { SqliteStore } from '../../src/plugins/store/sqlite/sqlite-store.js';

const COUNT = 10_000;

function dataplaneSpec(i: number): Record<string, unknown> {
  return {
    networking: {
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      inbound: [{ port: 8080, servicePort: 80, tags: { 'kuma.io/service': `svc-${i % 100}`, version: 'v1', zone: 'zone-1' } }],
      outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }],
    },
  };
}

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await fn();
  console.log(`  ${label.padEnd(44)} ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(1).padStart(9)} ms`);
  return result;
}

async function measure(name: string, store: ResourceStore): Promise<void> {
  console.log(name);
  await store.create('Mesh', { mesh: '', name: 'default' }, {});
  const writes: BatchWrite[] = Array.from({ length: COUNT }, (_, i) => ({
    op: 'create',
    type: 'Dataplane',
    key: { mesh: 'default', name: `dp-${i}` },
    spec: dataplaneSpec(i),
  }));
  await time(`transact: create ${COUNT} (one batch)`, () => store.transact(writes));
  await time('create 1,000 (one commit each)', async () => {
    for (let i = 0; i < 1000; i++) await store.create('Dataplane', { mesh: 'default', name: `single-${i}` }, dataplaneSpec(i));
  });
  const all = await time(`list all ${COUNT + 1000}`, () => store.list('Dataplane'));
  await time(`list again`, () => store.list('Dataplane', { mesh: 'default' }));
  await time('list namePrefix "dp-99" (111 hits)', () => store.list('Dataplane', { namePrefix: 'dp-99' }));
  await time(`get ${COUNT} one by one`, async () => {
    for (let i = 0; i < COUNT; i++) await store.get('Dataplane', { mesh: 'default', name: `dp-${i}` });
  });
  await time(`delete Mesh (cascade of ${all.length})`, () => store.delete('Mesh', { mesh: '', name: 'default' }));
  await store.close();
}

configureLogging('off');
const dir = mkdtempSync(join(tmpdir(), 'kuma-store-timings-'));
try {
  await measure('sqlite (file, WAL, synchronous=FULL)', new SqliteStore(join(dir, 'kuma.db')));
  await measure('memory', new MemoryStore());
} finally {
  rmSync(dir, { recursive: true, force: true });
}
