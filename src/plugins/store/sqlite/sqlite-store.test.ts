import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, StoreUnavailableError } from '../../../core/errors.js';
import type { Spec } from '../../../core/resources/model.js';
import { migrate, migrations, type Migration } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('SqliteStore on a file', () => {
  let dir: string;
  let path: string;
  const open: { close(): unknown }[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kuma-sqlite-'));
    path = join(dir, 'kuma.db');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function openStore(): SqliteStore {
    const store = new SqliteStore(path);
    open.push(store);
    return store;
  }

  function rawDb(): Database.Database {
    const db = new Database(path);
    open.push(db);
    return db;
  }

  it('keeps resources, versions, labels and owners across close and reopen', async () => {
    const first = openStore();
    await first.create('Mesh', { mesh: '', name: 'default' }, { mtls: { enabledBackend: 'ca' } });
    await first.create('Zone', { mesh: '', name: 'zone-1' }, {}, { labels: { 'kuma.io/origin': 'global' } });
    const dp = await first.create('Dataplane', { mesh: 'default', name: 'zone-1.web' }, { a: 1 }, { owner: { type: 'Zone', mesh: '', name: 'zone-1' } });
    const updated = await first.update('Dataplane', { mesh: 'default', name: 'zone-1.web' }, { a: 2 });
    await first.close();

    const second = openStore();
    expect(await second.get('Dataplane', { mesh: 'default', name: 'zone-1.web' })).toEqual(updated);
    expect(updated.meta.creationTime).toBe(dp.meta.creationTime);
    expect((await second.get('Zone', { mesh: '', name: 'zone-1' })).meta.labels).toEqual({ 'kuma.io/origin': 'global' });
    const again = await second.update('Dataplane', { mesh: 'default', name: 'zone-1.web' }, { a: 3 }, { expectedVersion: 2 });
    expect(again.meta.version).toBe(3);
    // The explicit owner survived the reopen: deleting the Zone still cascades.
    await second.delete('Zone', { mesh: '', name: 'zone-1' });
    expect(await second.list('Dataplane')).toEqual([]);
    expect((await second.list('Mesh')).map((r) => r.meta.name)).toEqual(['default']);
  });

  it('runs in WAL mode', async () => {
    await openStore().close();
    expect(rawDb().pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('applies the migrations once: reopening is a no-op', async () => {
    await openStore().close();
    await openStore().close();
    const db = rawDb();
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
    expect(migrate(db)).toEqual({ from: migrations.length, to: migrations.length, applied: [] });
  });

  it('applies only the pending migrations, in order', () => {
    const db = rawDb();
    expect(migrate(db).applied).toHaveLength(migrations.length);
    const next: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'add a', sql: 'CREATE TABLE extra_a (x TEXT)' },
      { version: migrations.length + 2, name: 'add b', sql: 'ALTER TABLE extra_a ADD COLUMN y TEXT' },
    ];
    const result = migrate(db, next);
    expect(result.from).toBe(migrations.length);
    expect(result.applied.map((m) => m.name)).toEqual(['add a', 'add b']);
    expect(db.prepare('SELECT x, y FROM extra_a').all()).toEqual([]);
  });

  it('a failing migration leaves the schema as it was', () => {
    const db = rawDb();
    migrate(db);
    const broken: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: 'good', sql: 'CREATE TABLE extra_a (x TEXT)' },
      { version: migrations.length + 2, name: 'bad', sql: 'ALTER TABLE missing ADD COLUMN y TEXT' },
    ];
    expect(() => migrate(db, broken)).toThrow(/missing/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra_a'").all()).toEqual([]);
    expect(migrate(db)).toMatchObject({ from: migrations.length, applied: [] });
  });

  it('refuses migrations that are not numbered 1, 2, 3...', () => {
    const db = rawDb();
    expect(() => migrate(db, [{ version: 2, name: 'skips 1', sql: 'SELECT 1' }])).toThrow(/expected 1/);
  });

  it('refuses a database written by a newer schema with a clear error', async () => {
    await openStore().close();
    const db = rawDb();
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(99, 'from the future', new Date().toISOString());
    db.close();
    expect(() => new SqliteStore(path)).toThrow(ConfigError);
    expect(() => new SqliteStore(path)).toThrow(/schema version 99, newer than version \d+ supported/);
  });

  it('a file that is not a database is a ConfigError naming the path', () => {
    writeFileSync(path, 'this is not sqlite, just some text that is long enough to have a header '.repeat(20));
    expect(() => new SqliteStore(path)).toThrow(ConfigError);
    expect(() => new SqliteStore(path)).toThrow(path);
  });

  it('holds the file exclusively: a second store on the same file is refused with a clear error', async () => {
    const first = openStore();
    await first.create('Mesh', { mesh: '', name: 'default' }, {});
    expect(() => new SqliteStore(path)).toThrow(ConfigError);
    expect(() => new SqliteStore(path)).toThrow(`the SQLite store "${path}" is locked by another process`);
    expect(() => new Database(path, { timeout: 0 }).prepare('SELECT count(*) FROM resources').get()).toThrow(/locked/);
    await first.close();
    expect((await openStore().list('Mesh')).map((r) => r.meta.name)).toEqual(['default']);
  });

  it('refuses writes once its file is deleted, and says why', async () => {
    const store = openStore();
    await store.create('Mesh', { mesh: '', name: 'default' }, {});
    expect(store.unavailableReason()).toBeUndefined();
    rmSync(path);
    expect(store.unavailableReason()).toBe(`the database file "${path}" was deleted while in use`);
    await expect(store.create('Mesh', { mesh: '', name: 'other' }, {})).rejects.toThrow(StoreUnavailableError);
  });

  it('refuses writes once its file is replaced by another one', async () => {
    const store = openStore();
    await store.create('Mesh', { mesh: '', name: 'default' }, {});
    writeFileSync(`${path}.new`, '');
    renameSync(`${path}.new`, path);
    await expect(store.update('Mesh', { mesh: '', name: 'default' }, { x: 1 })).rejects.toThrow(/was replaced by another file while in use/);
    expect(store.unavailableReason()).toMatch(/replaced/);
  });

  it('a damaged file fails the integrity check at start with a clear message', async () => {
    const store = openStore();
    for (let i = 0; i < 200; i++) await store.create('Mesh', { mesh: '', name: `mesh-${i}-${'x'.repeat(100)}` }, { i });
    await store.close();
    // Overwrite the last page (a table or index leaf) with garbage: the file opens and migrates, PRAGMA integrity_check finds it.
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, size - 4096);
    closeSync(fd);
    expect(() => new SqliteStore(path)).toThrow(ConfigError);
    expect(() => new SqliteStore(path)).toThrow(`the SQLite store "${path}" failed its integrity check (`);
  });

  it('damage that only PRAGMA integrity_check sees (a wrong free-page count; reads still work) is refused at start', async () => {
    const store = openStore();
    await store.create('Mesh', { mesh: '', name: 'a' }, {});
    await store.close();
    // Header offset 36: the number of free pages (big-endian uint32). No query reads it; the integrity check does.
    const fd = openSync(path, 'r+');
    const count = Buffer.alloc(4);
    readSync(fd, count, 0, 4, 36);
    count.writeUInt32BE(count.readUInt32BE(0) + 5);
    writeSync(fd, count, 0, 4, 36);
    closeSync(fd);
    expect(() => new SqliteStore(path)).toThrow(/^the SQLite store ".*" failed its integrity check \(.*Freelist: size is \d+ but should be \d+\)/s);
  });

  it('close is idempotent', async () => {
    const store = openStore();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });

  it('every acknowledged write survives kill -9 of the writing process', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'node_modules/.bin/vite-node'), join(repoRoot, 'src/plugins/store/sqlite/fixtures/write-burst.ts'), path], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let lastCreate = -1;
    let lastUpdate = -1;
    for await (const line of createInterface({ input: child.stdout })) {
      const ack = /^ack (create|update) (\d+)$/.exec(line);
      if (!ack) continue;
      if (ack[1] === 'create') lastCreate = Number(ack[2]);
      else lastUpdate = Number(ack[2]);
      // Kill in the middle of the burst, between a create and its update.
      if (lastCreate >= 100 && lastCreate > lastUpdate) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited, stderr).toBe('SIGKILL');
    expect(lastCreate, stderr).toBeGreaterThanOrEqual(100);

    const store = openStore();
    const names = new Set((await store.list('Dataplane', { mesh: 'burst' })).map((r) => r.meta.name));
    const missing = Array.from({ length: lastCreate + 1 }, (_, i) => `dp-${i}`).filter((n) => !names.has(n));
    expect(missing).toEqual([]);
    const counter = await store.get('Mesh', { mesh: '', name: 'burst' });
    // The child writes a bare counter, not a Mesh spec: read it as the untyped spec it is.
    const spec: Spec = counter.spec;
    expect(spec['n']).toBeGreaterThanOrEqual(lastUpdate);
    expect(counter.meta.version).toBe((spec['n'] as number) + 2);
  });
});
