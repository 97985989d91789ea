import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CP_MAIN, startCp, stopAll } from '../helpers/cp-process.js';
import { PG_PASSWORD, PG_USER, startPostgres, type PostgresServer } from '../helpers/postgres-server.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await stopAll();
  await server.stop();
});

/** Runs the built kuma-cp to completion (asynchronously: the test's own Postgres must keep being served). */
function runCp(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CP_MAIN, ...args], { env: { ...process.env, KUMA_API_SERVER_HTTP_PORT: '0', KUMA_DIAGNOSTICS_SERVER_PORT: '0', KUMA_MONITORING_ASSIGNMENT_SERVER_PORT: '0', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function sql(db: string, text: string): Promise<void> {
  const client = new pg.Client({ host: server.host, port: server.port, user: PG_USER, password: PG_PASSWORD, database: db });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe('KUMA_STORE_TYPE=postgres: schema migrations', () => {
  it('run refuses an unmigrated database with one clear line; migrate up applies the schema once; run then starts', async () => {
    const db = await server.createDatabase('migrate');
    const env = server.env(db);
    const refused = await runCp(['run'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe('kuma-cp: database is not migrated. Run "kuma-cp migrate up" to update database to the newest schema\n');

    const up = await runCp(['migrate', 'up'], env);
    expect(up.stderr).toBe('');
    expect(up.status).toBe(0);
    expect(up.stdout).toContain('kuma-cp: database migrated from schema version 0 to 1');
    const again = await runCp(['migrate', 'up'], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('kuma-cp: database is already at the newest schema version 1');

    const cp = await startCp({ env });
    const meshes = (await (await fetch(`${cp.apiUrl}/meshes`)).json()) as { items: { name: string }[] };
    expect(meshes.items.map((m) => m.name)).toEqual(['default']);
    expect(await cp.stop()).toBe(0);
  }, 120_000);

  it('run and migrate up refuse a schema newer than this kuma-cp', async () => {
    const db = await server.createDatabase('newer');
    const env = server.env(db);
    expect((await runCp(['migrate', 'up'], env)).status).toBe(0);
    await sql(db, `INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')`);
    const expected = 'kuma-cp: database has schema version 99, newer than version 1 supported by this kuma-cp: run a newer kuma-cp\n';
    const run = await runCp(['run'], env);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(expected);
    const up = await runCp(['migrate', 'up'], env);
    expect(up.status).toBe(1);
    expect(up.stderr).toBe(expected);
  }, 90_000);

  it('an unreachable database or a wrong password is one clear line, not a crash', async () => {
    const db = await server.createDatabase('unreachable');
    const wrongPassword = await runCp(['run'], { ...server.env(db), KUMA_STORE_POSTGRES_PASSWORD: 'wrong' });
    expect(wrongPassword.status).toBe(1);
    expect(wrongPassword.stderr).toMatch(/^kuma-cp: cannot connect to the Postgres store kuma@127\.0\.0\.1:\d+\/\S+: password authentication failed for user "kuma"\n$/);
    const badTls = await runCp(['run'], { ...server.env(db), KUMA_STORE_POSTGRES_TLS_MODE: 'verifyFull' });
    expect(badTls.status).toBe(1);
    expect(badTls.stderr).toBe('kuma-cp: store.postgres.tls.caPath is required by store.postgres.tls.mode "verifyFull"\n');
  }, 90_000);
});
