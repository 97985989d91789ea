import type { ClientBase } from 'pg';
import { ConfigError } from '../../../core/errors.js';

/** One schema step. Versions start at 1 and increase by 1; a released migration is never edited, only followed. */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Kuma's postgres schema: `resources` keyed by (type, mesh, name), mesh '' for global-scoped types, spec and
 * labels as JSON text (byte-exact round trip), an optional explicit owner. Text columns use the "C" collation so
 * that `ORDER BY mesh, name` is byte order, as in SQLite, whatever the database's locale.
 * `resource_changes` is the change log every instance follows (one row per committed write, with its events);
 * `leader_leases` holds Kuma's `kuma-cp-lock` lease; `cp_instances` the instances' heartbeats.
 */
export const pgMigrations: readonly PgMigration[] = [
  {
    version: 1,
    name: 'create resources, change log, leases and instances',
    sql: `
      CREATE TABLE resources (
        type              TEXT COLLATE "C" NOT NULL,
        mesh              TEXT COLLATE "C" NOT NULL,
        name              TEXT COLLATE "C" NOT NULL,
        version           INTEGER NOT NULL,
        spec              TEXT NOT NULL,
        labels            TEXT,
        creation_time     TEXT NOT NULL,
        modification_time TEXT NOT NULL,
        owner_type        TEXT COLLATE "C",
        owner_mesh        TEXT COLLATE "C",
        owner_name        TEXT COLLATE "C",
        PRIMARY KEY (type, mesh, name)
      );
      CREATE INDEX resources_by_owner ON resources (owner_type, owner_mesh, owner_name) WHERE owner_type IS NOT NULL;
      CREATE INDEX resources_by_mesh ON resources (mesh) WHERE mesh <> '';
      CREATE TABLE resource_changes (
        seq        BIGSERIAL PRIMARY KEY,
        instance   TEXT NOT NULL,
        events     TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE TABLE resource_changes_pruned (
        single         BOOLEAN PRIMARY KEY DEFAULT true CHECK (single),
        pruned_through BIGINT NOT NULL
      );
      INSERT INTO resource_changes_pruned (pruned_through) VALUES (0);
      CREATE TABLE leader_leases (
        name       TEXT PRIMARY KEY,
        owner      TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE cp_instances (
        id           TEXT PRIMARY KEY,
        heartbeat_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
];

/** Serialises concurrent `migrate up` runs (any constant shared by all kuma-cp instances). */
const MIGRATION_LOCK = 0x6b756d61; // 'kuma'

export const NOT_MIGRATED =
  'database is not migrated. Run "kuma-cp migrate up" to update database to the newest schema';

async function currentVersion(client: ClientBase): Promise<number> {
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return 0;
  const res = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return res.rows[0]?.v ?? 0;
}

function newerError(found: number, latest: number): ConfigError {
  return new ConfigError(`database has schema version ${found}, newer than version ${latest} supported by this kuma-cp: run a newer kuma-cp`);
}

/** Refuses (ConfigError, one clear line) a database whose schema is older or newer than this build's. */
export async function checkSchema(client: ClientBase, list: readonly PgMigration[] = pgMigrations): Promise<void> {
  const found = await currentVersion(client);
  if (found < list.length) throw new ConfigError(NOT_MIGRATED);
  if (found > list.length) throw newerError(found, list.length);
}

export interface PgMigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly PgMigration[];
}

/** `kuma-cp migrate up`: applies the pending migrations in one transaction, under an advisory lock. */
export async function migrateUp(client: ClientBase, list: readonly PgMigration[] = pgMigrations): Promise<PgMigrationResult> {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const from = await currentVersion(client);
    if (from > list.length) throw newerError(from, list.length);
    const pending = list.slice(from);
    for (const m of pending) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    }
    await client.query('COMMIT');
    return { from, to: list.length, applied: pending };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
