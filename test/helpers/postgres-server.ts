import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Debian's postgresql package (scripts/install-test-deps.sh installs it). */
const PG_BIN = '/usr/lib/postgresql/15/bin';
/** Postgres refuses to run as root: as root, the server runs as this existing system user (made by the package). */
const RUN_AS = 'postgres';

export const PG_USER = 'kuma';
export const PG_PASSWORD = 'kuma-test-password';

export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** A new database (empty, or a copy of `template`); its name is returned. */
  createDatabase(prefix?: string, template?: string): Promise<string>;
  /** `KUMA_STORE_*` variables pointing a kuma-cp at `db`. */
  env(db: string): Record<string, string>;
  /** Fast shutdown (disconnects clients) then start again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function asUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', RUN_AS]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', RUN_AS]).toString().trim());
  return { uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForConnect(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: PG_USER, password: PG_PASSWORD, database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A real Postgres 15 in a fresh temp directory on a free loopback port, with password (scram) auth for the
 * superuser `kuma`. Run as root, the server runs as the `postgres` system user, who owns the data directory.
 * Tests run it with fsync off (speed); `durable` turns fsync on (benches compare it with SQLite's synchronous=FULL).
 */
export async function startPostgres(opts: { durable?: boolean; tls?: { certPem: string; keyPem: string } } = {}): Promise<PostgresServer> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`Postgres is not installed (${PG_BIN}); run scripts/install-test-deps.sh`);
  const user = asUser();
  const dir = mkdtempSync(join(tmpdir(), 'kuma-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  const sslArgs: string[] = [];
  if (opts.tls) {
    // Postgres refuses a key readable by others; both files belong to the server's user.
    for (const [file, pem] of [['server.crt', opts.tls.certPem], ['server.key', opts.tls.keyPem]] as const) {
      writeFileSync(join(dir, file), pem, { mode: 0o600 });
      if (user) chownSync(join(dir, file), user.uid, user.gid);
    }
    sslArgs.push('-c', 'ssl=on', '-c', `ssl_cert_file=${join(dir, 'server.crt')}`, '-c', `ssl_key_file=${join(dir, 'server.key')}`);
  }
  chmodSync(dir, 0o700);
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(
    join(PG_BIN, 'initdb'),
    ['-D', data, '-U', PG_USER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync', '--locale=C.UTF-8'],
    { ...ids, cwd: dir, stdio: 'pipe', env: { ...process.env, LC_ALL: 'C.UTF-8' } },
  );
  const port = await freePort();
  let child: ChildProcess | undefined;
  const output: string[] = [];

  const launch = async (): Promise<void> => {
    child = spawn(
      join(PG_BIN, 'postgres'),
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', `fsync=${opts.durable ? 'on' : 'off'}`, '-c', 'max_connections=300', ...sslArgs],
      { ...ids, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
    try {
      await waitForConnect(port, 20_000);
    } catch (err) {
      throw new Error(`postgres did not start: ${String(err)}\n${output.join('').slice(-2000)}`);
    }
  };
  const halt = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGINT'); // fast shutdown: clients are disconnected
    await exited;
  };
  await launch();

  let counter = 0;
  const server: PostgresServer = {
    host: '127.0.0.1',
    port,
    async createDatabase(prefix = 'kuma', template?: string) {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++counter}`;
      const admin = new pg.Client({ host: '127.0.0.1', port, user: PG_USER, password: PG_PASSWORD, database: 'postgres' });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
      } finally {
        await admin.end();
      }
      return name;
    },
    env(db) {
      return {
        KUMA_STORE_TYPE: 'postgres',
        KUMA_STORE_POSTGRES_HOST: '127.0.0.1',
        KUMA_STORE_POSTGRES_PORT: String(port),
        KUMA_STORE_POSTGRES_USER: PG_USER,
        KUMA_STORE_POSTGRES_PASSWORD: PG_PASSWORD,
        KUMA_STORE_POSTGRES_DB_NAME: db,
      };
    },
    async restart() {
      await halt();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}
