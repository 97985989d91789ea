import pg from 'pg';
import { configSchema } from '../../src/config/schema.js';
import type { PostgresConfig } from '../../src/plugins/store/postgres/connection.js';
import { migrateUp } from '../../src/plugins/store/postgres/migrations.js';
import { PostgresStore } from '../../src/plugins/store/postgres/postgres-store.js';
import { PG_PASSWORD, PG_USER, type PostgresServer } from './postgres-server.js';

/** `store.postgres` settings for database `db` of the test server. */
export function pgConfig(server: PostgresServer, db: string): PostgresConfig {
  return configSchema.parse({
    store: { type: 'postgres', postgres: { host: server.host, port: server.port, user: PG_USER, password: PG_PASSWORD, dbName: db } },
  }).store.postgres;
}

/** Applies the schema to `db` (what `kuma-cp migrate up` does). */
export async function migrateDatabase(server: PostgresServer, db: string): Promise<void> {
  const client = new pg.Client({ host: server.host, port: server.port, user: PG_USER, password: PG_PASSWORD, database: db });
  await client.connect();
  try {
    await migrateUp(client);
  } finally {
    await client.end();
  }
}

const templates = new WeakMap<PostgresServer, Promise<string>>();

/** A new database with the current schema applied (copied from a migrated template: faster than migrating each). */
export async function newMigratedDatabase(server: PostgresServer): Promise<string> {
  let template = templates.get(server);
  if (!template) {
    template = (async () => {
      const db = await server.createDatabase('template');
      await migrateDatabase(server, db);
      return db;
    })();
    templates.set(server, template);
  }
  return server.createDatabase('store', await template);
}

/** A fresh, migrated database and a store on it. */
export async function newPostgresStore(server: PostgresServer, instanceId = 'test-instance'): Promise<{ store: PostgresStore; db: string }> {
  const db = await newMigratedDatabase(server);
  return { store: await PostgresStore.open(pgConfig(server, db), instanceId), db };
}
