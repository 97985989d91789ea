import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built daemon (npm test builds before running vitest). */
export const CP_MAIN = resolve(import.meta.dirname, '../../', import.meta.dirname.includes('/dist/') ? '../dist/src/cli/main.js' : 'dist/src/cli/main.js');

export interface CpOptions {
  mode?: 'standalone' | 'global' | 'remote' | 'zone';
  zone?: string;
  globalAddress?: string;
  /** Extra environment (wins over the harness defaults, e.g. a fixed port). */
  env?: Record<string, string>;
  args?: string[];
  /** SQLite file; a fresh one in a new temp dir by default. */
  dbPath?: string;
  /** Milliseconds to wait for "kuma-cp is ready". */
  startTimeoutMs?: number;
}

export interface CpPorts {
  api: number;
  diagnostics: number;
  dpServer?: number;
  bootstrap?: number;
  dnsUdp?: number;
  dnsTcp?: number;
  kds?: number;
}

export interface CpProcess {
  readonly ports: CpPorts;
  readonly apiUrl: string;
  readonly dbPath: string;
  readonly pid: number;
  logs(): string[];
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number>;
  kill9(): Promise<void>;
  /** Starts the same configuration again on the same ports and database. */
  restart(): Promise<CpProcess>;
}

const SERVER_TO_PORT: Record<string, keyof CpPorts> = {
  'api-server': 'api',
  diagnostics: 'diagnostics',
  'dp-server': 'dpServer',
  'bootstrap-server': 'bootstrap',
  'dns-udp': 'dnsUdp',
  'dns-tcp': 'dnsTcp',
  'kds-server': 'kds',
};

const PORT_ENV: Record<keyof CpPorts, string> = {
  api: 'KUMA_API_SERVER_HTTP_PORT',
  diagnostics: 'KUMA_DIAGNOSTICS_SERVER_PORT',
  dpServer: 'KUMA_DP_SERVER_PORT',
  bootstrap: 'KUMA_BOOTSTRAP_SERVER_PORT',
  dnsUdp: 'KUMA_DNS_SERVER_PORT',
  dnsTcp: 'KUMA_DNS_SERVER_PORT',
  kds: 'KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT',
};

const LOOPBACK_ENV = {
  KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
  KUMA_DP_SERVER_INTERFACE: '127.0.0.1',
  KUMA_BOOTSTRAP_SERVER_INTERFACE: '127.0.0.1',
  KUMA_DNS_SERVER_INTERFACE: '127.0.0.1',
  KUMA_DIAGNOSTICS_INTERFACE: '127.0.0.1',
  KUMA_MULTIZONE_GLOBAL_KDS_INTERFACE: '127.0.0.1',
};

/** Spawns the built kuma-cp on free loopback ports and waits until it reports ready. */
export async function startCp(opts: CpOptions = {}): Promise<CpProcess> {
  const dbPath = opts.dbPath ?? join(mkdtempSync(join(tmpdir(), 'kuma-cp-')), 'kuma.db');
  const args = [CP_MAIN, 'run', ...(opts.args ?? [])];
  if (opts.mode) args.push('--mode', opts.mode);
  if (opts.zone) args.push('--zone', opts.zone);
  if (opts.globalAddress) args.push('--global-address', opts.globalAddress);
  const zeroPorts = Object.fromEntries(Object.values(PORT_ENV).map((e) => [e, '0']));
  const env = { ...process.env, ...zeroPorts, ...LOOPBACK_ENV, KUMA_STORE_SQLITE_PATH: dbPath, ...opts.env };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const ports: Partial<CpPorts> = {};
  let stderr = '';
  const exited = new Promise<number>((res) => child.once('exit', (code, signal) => res(code ?? (signal ? 128 : 1))));
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      recordPort(line, ports);
      for (const w of waiters) w();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    if (process.env['KUMA_TEST_VERBOSE']) process.stderr.write(c);
  });

  const waitForLog = (re: RegExp, timeoutMs = 15_000): Promise<string> =>
    new Promise((res, rej) => {
      const check = (): boolean => {
        const hit = lines.find((l) => re.test(l));
        if (hit === undefined) return false;
        cleanup();
        res(hit);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`timed out after ${timeoutMs}ms waiting for log ${re}; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      const onExit = (): void => {
        cleanup();
        rej(new Error(`kuma-cp exited while waiting for log ${re}; stderr: ${stderr.slice(-2000)}; last logs: ${lines.slice(-5).join('\n')}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
        child.off('exit', onExit);
      };
      const waiter = (): void => void check();
      if (check()) return;
      waiters.add(waiter);
      child.once('exit', onExit);
    });

  await waitForLog(/"msg":"kuma-cp is ready"/, opts.startTimeoutMs ?? 30_000);
  const p = ports as CpPorts;
  const handle: CpProcess = {
    ports: p,
    apiUrl: `http://127.0.0.1:${p.api}`,
    dbPath,
    pid: child.pid ?? -1,
    logs: () => [...lines],
    waitForLog,
    stop: () => stopChild(child, exited, 'SIGTERM'),
    kill9: async () => {
      await stopChild(child, exited, 'SIGKILL');
    },
    restart: async () => {
      if (child.exitCode === null && child.signalCode === null) await stopChild(child, exited, 'SIGTERM');
      const fixed = Object.fromEntries(
        (Object.entries(p) as [keyof CpPorts, number][]).map(([k, v]) => [PORT_ENV[k], String(v)]),
      );
      return startCp({ ...opts, dbPath, env: { ...fixed, ...opts.env } });
    },
  };
  running.add(handle);
  return handle;
}

function recordPort(line: string, ports: Partial<CpPorts>): void {
  if (!line.includes('"listening"')) return;
  try {
    const rec = JSON.parse(line) as { msg?: string; server?: string; port?: number };
    const key = rec.server ? SERVER_TO_PORT[rec.server] : undefined;
    if (rec.msg === 'listening' && key && typeof rec.port === 'number') ports[key] = rec.port;
  } catch {
    // not a JSON log line
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number>, signal: NodeJS.Signals): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

const running = new Set<CpProcess>();

/** Stops every control plane this test file started (use in afterAll/afterEach). */
export async function stopAll(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((cp) => cp.kill9()));
}
