import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg, { type ClientConfig, type PoolConfig } from 'pg';
import type { Logger } from '../../../core/logging.js';
import type { Config } from '../../../config/schema.js';
import { ConfigError, errorMessage } from '../../../core/errors.js';

export type PostgresConfig = Config['store']['postgres'];

function readPem(what: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`store.postgres.tls.${what} "${path}" cannot be read: ${errorMessage(err)}`);
  }
}

/**
 * TLS as Kuma's `store.postgres.tls.mode`: disable (plain TCP), verifyNone (encrypted, any certificate),
 * verifyCa (the certificate must chain to caPath, any host name), verifyFull (chain and host name).
 * Bad combinations and unreadable files are ConfigErrors, so the process refuses to start with one line.
 */
export function tlsOptions(tls: PostgresConfig['tls']): false | ConnectionOptions {
  const { mode, caPath, certPath, keyPath } = tls;
  if ((certPath === '') !== (keyPath === '')) {
    throw new ConfigError('store.postgres.tls.certPath and store.postgres.tls.keyPath must be set together');
  }
  if (mode === 'disable') {
    if (caPath || certPath) throw new ConfigError('store.postgres.tls paths are set but store.postgres.tls.mode is "disable"');
    return false;
  }
  const client = certPath ? { cert: readPem('certPath', certPath), key: readPem('keyPath', keyPath) } : {};
  if (mode === 'verifyNone') return { ...client, rejectUnauthorized: false };
  if (!caPath) throw new ConfigError(`store.postgres.tls.caPath is required by store.postgres.tls.mode "${mode}"`);
  const ca = readPem('caPath', caPath);
  if (mode === 'verifyCa') return { ...client, ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return { ...client, ca, rejectUnauthorized: true };
}

/** Settings of one connection (the change listener and the leader lease use their own). */
export function clientConfig(pgc: PostgresConfig): ClientConfig {
  return {
    host: pgc.host,
    port: pgc.port,
    user: pgc.user,
    password: pgc.password,
    database: pgc.dbName,
    ssl: tlsOptions(pgc.tls),
    connectionTimeoutMillis: pgc.connectionTimeout * 1000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    application_name: 'kuma-cp',
  };
}

export function poolConfig(pgc: PostgresConfig): PoolConfig {
  return { ...clientConfig(pgc), max: pgc.maxOpenConnections };
}

/** `kuma@127.0.0.1:15432/kuma`: how logs and errors name the database (never the password). */
export function describeDatabase(pgc: PostgresConfig): string {
  return `${pgc.user}@${pgc.host}:${pgc.port}/${pgc.dbName}`;
}

/**
 * A pool whose connections never crash the process: pg emits 'error' on a connection that dies while checked out
 * between two queries (a server restart mid-transaction); with no listener that is an uncaught exception. The
 * query in progress, or the next one, fails instead, and the pool replaces the connection.
 */
export function resilientPool(config: PoolConfig, log: Logger): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', (err) => log.warn({ err: errorMessage(err) }, 'idle database connection lost'));
  pool.on('connect', (client) => client.on('error', (err) => log.warn({ err: errorMessage(err) }, 'database connection lost')));
  return pool;
}
