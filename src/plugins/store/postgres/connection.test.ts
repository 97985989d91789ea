import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../core/errors.js';
import { startPostgres, type PostgresServer } from '../../../../test/helpers/postgres-server.js';
import { pgConfig } from '../../../../test/helpers/postgres-store.js';
import { clientConfig, tlsOptions, type PostgresConfig } from './connection.js';

/** A CA, and a server certificate it signed for IP 127.0.0.1 and DNS pg.test only (not "localhost"). Plus an unrelated CA. */
function makeCerts(dir: string): { ca: string; otherCa: string; cert: string; key: string } {
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const name of ['ca', 'other']) {
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name} test CA`);
  }
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=pg.test');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:pg.test\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  return { ca: join(dir, 'ca.crt'), otherCa: join(dir, 'other.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

let server: PostgresServer;
let dir: string;
let certs: ReturnType<typeof makeCerts>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kuma-pg-tls-'));
  certs = makeCerts(dir);
  server = await startPostgres({ tls: { certPem: readFileSync(certs.cert, 'utf8'), keyPem: readFileSync(certs.key, 'utf8') } });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Connects with the settings kuma-cp derives from `store.postgres`; resolves whether the session is encrypted. */
async function connect(tls: Partial<PostgresConfig['tls']>, host = '127.0.0.1'): Promise<boolean> {
  const base = pgConfig(server, 'postgres');
  const client = new pg.Client(clientConfig({ ...base, host, tls: { ...base.tls, ...tls } }));
  await client.connect();
  try {
    const res = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return res.rows[0]?.ssl ?? false;
  } finally {
    await client.end();
  }
}

describe('store.postgres.tls against a real Postgres with TLS', () => {
  it('disable connects in plain text; verifyNone encrypts and accepts any certificate', async () => {
    expect(await connect({ mode: 'disable' })).toBe(false);
    expect(await connect({ mode: 'verifyNone' })).toBe(true);
    expect(await connect({ mode: 'verifyNone' }, 'localhost')).toBe(true);
  });

  it('verifyCa checks the chain only: the right CA under any host name passes, another CA fails', async () => {
    expect(await connect({ mode: 'verifyCa', caPath: certs.ca }, 'localhost')).toBe(true);
    await expect(connect({ mode: 'verifyCa', caPath: certs.otherCa })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('verifyFull checks the chain and the host name', async () => {
    expect(await connect({ mode: 'verifyFull', caPath: certs.ca })).toBe(true);
    await expect(connect({ mode: 'verifyFull', caPath: certs.ca }, 'localhost')).rejects.toThrow(/localhost/);
    await expect(connect({ mode: 'verifyFull', caPath: certs.otherCa })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('refuses inconsistent settings with a ConfigError naming the key', () => {
    const tls = pgConfig(server, 'postgres').tls;
    expect(() => tlsOptions({ ...tls, mode: 'verifyCa' })).toThrow(new ConfigError('store.postgres.tls.caPath is required by store.postgres.tls.mode "verifyCa"'));
    expect(() => tlsOptions({ ...tls, mode: 'verifyNone', certPath: certs.cert })).toThrow(/certPath and store\.postgres\.tls\.keyPath must be set together/);
    expect(() => tlsOptions({ ...tls, mode: 'disable', caPath: certs.ca })).toThrow(/mode is "disable"/);
    expect(() => tlsOptions({ ...tls, mode: 'verifyFull', caPath: join(dir, 'missing.pem') })).toThrow(/store\.postgres\.tls\.caPath ".*missing\.pem" cannot be read/);
  });
});

