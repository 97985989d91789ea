import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import type { ResourceStore } from '../../core/store/resource-store.js';
import { logger } from '../../core/logging.js';
import { createStore } from './create-store.js';
import { MemoryStore } from './memory/memory-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

describe('createStore', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  function track(store: ResourceStore): ResourceStore {
    cleanups.push(() => store.close());
    return store;
  }

  it('opens the SQLite file named by store.sqlite.path, creating its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kuma-store-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'nested', 'kuma.db');
    const store = track(await createStore(configSchema.parse({ store: { type: 'sqlite', sqlite: { path } } }), 'test', logger));
    expect(store).toBeInstanceOf(SqliteStore);
    expect((store as SqliteStore).path).toBe(path);
    await store.create('Mesh', { mesh: '', name: 'default' }, {});
    expect((await store.list('Mesh')).map((r) => r.meta.name)).toEqual(['default']);
  });

  it('uses the memory store for store.type memory', async () => {
    const store = track(await createStore(configSchema.parse({ store: { type: 'memory' } }), 'test', logger));
    expect(store).toBeInstanceOf(MemoryStore);
  });
});
