import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, errorMessage } from '../../../core/errors.js';

/** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** Integrity problems listed in the start error; the check stops after this many. */
const INTEGRITY_PROBLEMS_SHOWN = 3;

function sqliteCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
}

function isBusy(err: unknown): boolean {
  return sqliteCode(err).startsWith('SQLITE_BUSY');
}

function integrityError(path: string, problems: string): ConfigError {
  return new ConfigError(`the SQLite store "${path}" failed its integrity check (${problems}); restore it from a backup or move it away`);
}

/**
 * Takes the database for this process alone: in EXCLUSIVE locking mode SQLite keeps the file lock from the
 * first write until close, so another kuma-cp (or any SQLite client) pointed at the same file is refused
 * instead of interleaving writes with ours. With WAL this also means no `-shm` file is shared.
 */
function lockExclusively(db: Database.Database, path: string): void {
  db.pragma('busy_timeout = 0');
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (err) {
    if (isBusy(err)) throw new ConfigError(`the SQLite store "${path}" is locked by another process (another kuma-cp using the same file?)`);
    throw err;
  }
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/** `PRAGMA integrity_check` at start: a damaged file is refused with what SQLite found, not served. */
function checkIntegrity(db: Database.Database, path: string): void {
  const rows = db.pragma(`integrity_check(${INTEGRITY_PROBLEMS_SHOWN})`) as { integrity_check: string }[];
  const problems = rows.map((r) => r.integrity_check).filter((p) => p !== 'ok');
  if (problems.length > 0) throw integrityError(path, problems.join('; '));
}

/** Opens (creating if needed), locks and checks the store's file; every failure is a ConfigError naming the path. */
export function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    lockExclusively(db, path);
    // FULL: every commit is fsynced before the write is answered, so an acknowledged write survives kill -9 and power loss.
    db.pragma('synchronous = FULL');
    checkIntegrity(db, path);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof ConfigError) throw err;
    // Damage in the schema pages shows before the check can run.
    if (sqliteCode(err).startsWith('SQLITE_CORRUPT')) throw integrityError(path, errorMessage(err));
    throw new ConfigError(`cannot open the SQLite store "${path}": ${errorMessage(err)}`);
  }
}
