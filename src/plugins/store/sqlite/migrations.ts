import type { Database } from 'better-sqlite3';
import { ConfigError } from '../../../core/errors.js';

/** One schema step. Versions start at 1 and increase by 1; a released migration is never edited, only followed. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The schema, modelled on Kuma's postgres `resources` table: one row per resource keyed by (type, mesh, name),
 * mesh '' for global-scoped types, spec and labels as JSON, an optional explicit owner. Ownership of mesh-scoped
 * resources by their Mesh is implicit (the `mesh` column), hence the index on mesh for the cascade.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'create resources',
    sql: `
      CREATE TABLE resources (
        type              TEXT    NOT NULL,
        mesh              TEXT    NOT NULL,
        name              TEXT    NOT NULL,
        version           INTEGER NOT NULL,
        spec              TEXT    NOT NULL,
        labels            TEXT,
        creation_time     TEXT    NOT NULL,
        modification_time TEXT    NOT NULL,
        owner_type        TEXT,
        owner_mesh        TEXT,
        owner_name        TEXT,
        PRIMARY KEY (type, mesh, name)
      );
      CREATE INDEX resources_by_owner ON resources (owner_type, owner_mesh, owner_name) WHERE owner_type IS NOT NULL;
      CREATE INDEX resources_by_mesh ON resources (mesh) WHERE mesh <> '';
    `,
  },
];

export interface MigrationResult {
  /** Schema version found at open (0 for a new database). */
  readonly from: number;
  /** Schema version after the pending migrations were applied. */
  readonly to: number;
  readonly applied: readonly Migration[];
}

function checkOrdered(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

/**
 * Brings the database to the newest schema in one immediate transaction (so two processes opening the same
 * file do not both migrate). A database written by a newer kuma-cp is refused with a ConfigError.
 */
export function migrate(db: Database, list: readonly Migration[] = migrations): MigrationResult {
  checkOrdered(list);
  const latest = list.length;
  const run = db.transaction((): MigrationResult => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const row = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get();
    const from = row?.v ?? 0;
    if (from > latest) {
      throw new ConfigError(
        `the SQLite store "${db.name}" has schema version ${from}, newer than version ${latest} supported by this kuma-cp: ` +
          'run a newer kuma-cp or point store.sqlite.path to another file',
      );
    }
    const pending = list.slice(from);
    const record = db.prepare<[number, string, string]>('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of pending) {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }
    return { from, to: latest, applied: pending };
  });
  return run.immediate();
}
