import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../../core/logging.js';
import { describeKey } from '../../../core/resources/model.js';
import type { StoreEvent } from '../../../core/store/resource-store.js';
import { StoreView } from '../../../core/view/store-view.js';
import { PG_PASSWORD, PG_USER, startPostgres, type PostgresServer } from '../../../../test/helpers/postgres-server.js';
import { newMigratedDatabase, pgConfig } from '../../../../test/helpers/postgres-store.js';
import { PostgresLeaderElector } from './postgres-leader-elector.js';
import { PostgresStore } from './postgres-store.js';
import { onChanges } from '../../../../test/helpers/store-listener.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.stop();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function open(db: string, id: string, user?: string): Promise<{ store: PostgresStore; seen: string[]; events: StoreEvent[]; resyncs: { count: number } }> {
  const store = await PostgresStore.open({ ...pgConfig(server, db), ...(user ? { user } : {}) }, id);
  cleanups.push(() => store.close());
  const seen: string[] = [];
  const events: StoreEvent[] = [];
  const resyncs = { count: 0 };
  store.subscribe(
    onChanges((batch) => {
      events.push(...batch);
      seen.push(...batch.map((e) => `${e.op} ${describeKey(e.type, e.resource.meta)} v${e.resource.meta.version}`));
    }, resyncs),
  );
  return { store, seen, events, resyncs };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function admin(db: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: server.host, port: server.port, user: PG_USER, password: PG_PASSWORD, database: db });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

describe('two PostgresStore instances on one database', () => {
  it('every committed write reaches the other instance once, in the same order, with the full resource', async () => {
    const db = await newMigratedDatabase(server);
    const a = await open(db, 'a');
    const b = await open(db, 'b');
    await a.store.create('Mesh', { mesh: '', name: 'default' }, {});
    await b.store.create('Dataplane', { mesh: 'default', name: 'web-1' }, { networking: { address: '10.0.0.1' } });
    await a.store.update('Dataplane', { mesh: 'default', name: 'web-1' }, { networking: { address: '10.0.0.2' } }, { expectedVersion: 1 });
    await b.store.create('Zone', { mesh: '', name: 'z' }, {});
    const expected = ['create Mesh default v1', 'create Dataplane default/web-1 v1', 'update Dataplane default/web-1 v2', 'create Zone z v1'];
    await until(() => a.seen.length >= 4 && b.seen.length >= 4);
    expect(a.seen).toEqual(expected);
    expect(b.seen).toEqual(expected);
    const updated = b.events.find((e) => e.op === 'update');
    expect(updated?.resource.spec).toEqual({ networking: { address: '10.0.0.2' } });
    expect(updated?.resource).toEqual(await b.store.get('Dataplane', { mesh: 'default', name: 'web-1' }));
  });

  it('a commit larger than NOTIFY allows (a mesh cascade of 300 resources) arrives whole', async () => {
    const db = await newMigratedDatabase(server);
    const a = await open(db, 'a');
    const b = await open(db, 'b');
    await a.store.create('Mesh', { mesh: '', name: 'big' }, {});
    await a.store.transact(
      Array.from({ length: 300 }, (_, i) => ({
        op: 'create' as const,
        type: 'Dataplane' as const,
        key: { mesh: 'big', name: `dp-${i}` },
        spec: { networking: { address: `10.0.${i >> 8}.${i & 255}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${i}` } }] } },
      })),
    );
    await a.store.delete('Mesh', { mesh: '', name: 'big' });
    await until(() => b.seen.filter((s) => s.startsWith('delete')).length === 301);
    expect(b.seen.filter((s) => s.startsWith('create'))).toHaveLength(301);
    expect(b.seen).toEqual(a.seen);
  });

  it('concurrent writers: both instances see every change, in one order; versions never repeat', async () => {
    const db = await newMigratedDatabase(server);
    const a = await open(db, 'a');
    const b = await open(db, 'b');
    await a.store.create('Zone', { mesh: '', name: 'z' }, { n: 0 });
    const writes = Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).store.update('Zone', { mesh: '', name: 'z' }, { n: i + 1 }));
    await Promise.all(writes);
    await until(() => a.seen.length === 21 && b.seen.length === 21);
    expect(b.seen).toEqual(a.seen);
    expect(a.seen.slice(1)).toEqual(Array.from({ length: 20 }, (_, i) => `update Zone z v${i + 2}`));
  });

  it('a lost notification channel reconnects and delivers what was written meanwhile', async () => {
    const db = await newMigratedDatabase(server);
    const a = await open(db, 'a');
    const b = await open(db, 'b');
    await a.store.create('Zone', { mesh: '', name: 'before' }, {});
    await until(() => b.seen.length === 1);
    // Drop every LISTEN connection of this database (B's channel, and A's).
    await admin(db, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'`, [db]);
    await a.store.create('Zone', { mesh: '', name: 'during' }, {});
    await a.store.update('Zone', { mesh: '', name: 'before' }, { changed: true });
    await until(() => b.seen.length === 3);
    expect(b.seen).toEqual(['create Zone before v1', 'create Zone during v1', 'update Zone before v2']);
  });

  it('when its part of the change log is gone, the store view re-lists and emits exactly the differences, then follows the log', async () => {
    const db = await newMigratedDatabase(server);
    const a = await open(db, 'a');
    await a.store.create('Zone', { mesh: '', name: 'kept' }, {});
    await a.store.create('Zone', { mesh: '', name: 'changed' }, { v: 1 });
    await a.store.create('Zone', { mesh: '', name: 'removed' }, {});
    // B connects as its own (non-superuser) role, so that the test can stop B, and only B, reading the change log.
    const role = `kuma_b_${db.replace(/\W/g, '_')}`;
    await admin(db, `CREATE ROLE ${role} LOGIN PASSWORD '${PG_PASSWORD}'`);
    cleanups.push(async () => {
      await admin(db, `DROP OWNED BY ${role}`);
      await admin('postgres', `DROP ROLE ${role}`);
    });
    await admin(db, `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}; GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    const b = await open(db, 'b', role);
    const view = new StoreView(b.store, logger('test'), ['Zone']);
    await view.start();
    const seen: string[] = [];
    view.watch('test', (events) => void seen.push(...events.map((e) => `${e.op} ${describeKey(e.type, e.resource.meta)} v${e.resource.meta.version}`)));
    // B cannot read the change log while A writes and the log B needs is pruned.
    await admin(db, `REVOKE SELECT ON resource_changes_pruned FROM ${role}`);
    const before = b.seen.length;
    await a.store.update('Zone', { mesh: '', name: 'changed' }, { v: 2 });
    await a.store.delete('Zone', { mesh: '', name: 'removed' });
    await a.store.create('Zone', { mesh: '', name: 'added' }, {});
    await admin(db, `WITH gone AS (DELETE FROM resource_changes RETURNING seq)
                     UPDATE resource_changes_pruned SET pruned_through = (SELECT max(seq) FROM gone)`);
    await admin(db, `GRANT SELECT ON resource_changes_pruned TO ${role}`);
    await until(() => b.resyncs.count > 0 && seen.length >= 3);
    // The store delivered none of the lost changes itself: the view's re-list found them.
    expect(b.seen.length).toBe(before);
    expect([...seen].sort()).toEqual(['create Zone added v1', 'delete Zone removed v1', 'update Zone changed v2']);
    expect(view.list('Zone')).toEqual(await b.store.list('Zone'));
    // And it goes on following the log afterwards, without re-listing again.
    await a.store.create('Zone', { mesh: '', name: 'after' }, {});
    await until(() => seen.includes('create Zone after v1'));
    expect(b.seen.slice(before)).toEqual(['create Zone after v1']);
    expect(b.resyncs.count).toBe(1);
    view.stop();
  });

  it('Postgres restarted: both instances reconnect; writes after the restart reach the other; nothing is lost', async () => {
    const db = await newMigratedDatabase(server);
    const a = await open(db, 'a');
    const b = await open(db, 'b');
    await a.store.create('Zone', { mesh: '', name: 'one' }, {});
    await until(() => b.seen.length === 1);
    await server.restart();
    // The pool replaces dead connections on checkout; the first write may meet one and fail, never silently.
    let written = false;
    for (let i = 0; i < 20 && !written; i++) {
      written = await a.store.create('Zone', { mesh: '', name: 'two' }, {}).then(
        () => true,
        (err: unknown) => (err instanceof Error && /already exists/.test(err.message) ? true : new Promise<boolean>((r) => setTimeout(() => r(false), 200))),
      );
    }
    expect(written).toBe(true);
    await until(() => b.seen.includes('create Zone two v1'));
    expect((await b.store.list('Zone')).map((z) => z.meta.name)).toEqual(['one', 'two']);
  });
});

describe('leader election on Postgres', () => {
  it('exactly one instance leads; a clean stop hands over at once; a silent one is replaced after its lease', async () => {
    const db = await newMigratedDatabase(server);
    const cfg = pgConfig(server, db);
    const a = new PostgresLeaderElector(cfg, 'a', 1500, 200);
    const b = new PostgresLeaderElector(cfg, 'b', 1500, 200);
    const c = new PostgresLeaderElector(cfg, 'c', 1500, 200);
    cleanups.push(async () => {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    });
    await a.start();
    await b.start();
    expect([a.isLeader, b.isLeader]).toEqual([true, false]);
    const bChanges: boolean[] = [];
    b.onChange((leader) => bChanges.push(leader));
    await a.stop();
    await until(() => b.isLeader, 3000);
    expect(bChanges).toEqual([true]);

    await c.start();
    expect(c.isLeader).toBe(false);
    // Another owner holds an unexpired lease (as a crashed leader's would): B sees it at its next renewal and steps
    // down; nobody leads until the lease expires; then exactly one of B and C takes over.
    await admin(db, `UPDATE leader_leases SET owner = 'crashed', expires_at = now() + interval '1 second'`);
    const crashedAt = Date.now();
    await until(() => !b.isLeader, 3000);
    await until(() => b.isLeader || c.isLeader, 5000);
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(700);
    await new Promise((r) => setTimeout(r, 600));
    expect([b.isLeader, c.isLeader].filter(Boolean)).toHaveLength(1);
    const lease = await admin(db, 'SELECT owner FROM leader_leases');
    expect(lease.rows).toEqual([{ owner: b.isLeader ? 'b' : 'c' }]);
  });
});
