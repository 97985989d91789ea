import pg from 'pg';
import { loadConfig } from '../config/load.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { configureLogging, logger } from '../core/logging.js';
import { clientConfig, describeDatabase } from '../plugins/store/postgres/connection.js';
import { migrateUp } from '../plugins/store/postgres/migrations.js';
import { SqliteStore } from '../plugins/store/sqlite/sqlite-store.js';

/**
 * `kuma-cp migrate up`: brings the configured store to the newest schema. Postgres is never migrated by `run`
 * (several instances share it; an operator upgrades it once); SQLite migrates itself when opened, so this only opens it.
 */
export async function migrateUpCommand(file: string | undefined): Promise<number> {
  try {
    const config = loadConfig({ ...(file ? { file } : {}), env: process.env, overrides: {} });
    configureLogging(config.logLevel);
    const log = logger('migrate');
    switch (config.store.type) {
      case 'postgres': {
        const pgc = config.store.postgres;
        const client = new pg.Client(clientConfig(pgc));
        try {
          await client.connect();
        } catch (err) {
          throw new ConfigError(`cannot connect to the Postgres store ${describeDatabase(pgc)}: ${errorMessage(err)}`);
        }
        try {
          const result = await migrateUp(client);
          for (const m of result.applied) log.info({ database: describeDatabase(pgc), version: m.version, migration: m.name }, 'schema migration applied');
          process.stdout.write(
            result.applied.length > 0
              ? `kuma-cp: database migrated from schema version ${result.from} to ${result.to}\n`
              : `kuma-cp: database is already at the newest schema version ${result.to}\n`,
          );
        } finally {
          await client.end().catch(() => undefined);
        }
        return 0;
      }
      case 'sqlite':
        await new SqliteStore(config.store.sqlite.path).close();
        process.stdout.write(`kuma-cp: SQLite store ${config.store.sqlite.path} is at the newest schema\n`);
        return 0;
      case 'memory':
        process.stdout.write('kuma-cp: the memory store has no schema to migrate\n');
        return 0;
    }
  } catch (err) {
    process.stderr.write(`kuma-cp: ${errorMessage(err)}\n`);
    return 1;
  }
}
