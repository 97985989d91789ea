import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { CP_MAIN, startCp, stopAll } from '../helpers/cp-process.js';

afterAll(stopAll);

const UNKNOWN_KEY_FILE = join(mkdtempSync(join(tmpdir(), 'kuma-cli-')), 'kuma-cp.yaml');
writeFileSync(UNKNOWN_KEY_FILE, 'apiServer:\n  htp:\n    port: 1\n');

function runCp(args: string[], env: Record<string, string> = {}): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, [CP_MAIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('kuma-cp CLI', () => {
  it('prints its version', () => {
    const r = runCp(['version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^kuma-cp: \d+\.\d+\.\d+/);
  });

  const invalid: [string, string[], Record<string, string>, RegExp][] = [
    ['remote without zone', ['run', '--mode=remote', '--global-address=grpc://127.0.0.1:5685'], {}, /remote mode requires --zone/],
    ['remote without global address', ['run', '--mode=remote', '--zone=zone-1'], {}, /remote mode requires --global-address/],
    ['a bad URL scheme', ['run', '--mode=zone', '--zone=zone-1', '--global-address=http://127.0.0.1:5685'], {}, /unsupported scheme "http"/],
    ['an unknown mode', ['run'], { KUMA_MODE: 'cluster' }, /invalid mode/],
    ['an unknown mode flag', ['run', '--mode=cluster'], {}, /Argument: mode, Given: "cluster", Choices: "standalone", "global", "remote", "zone"/],
    ['an unknown key in the config file', ['run', '-c', UNKNOWN_KEY_FILE], {}, /unknown key "apiServer\.htp"/],
    ['a port out of range', ['run'], { KUMA_API_SERVER_HTTP_PORT: '99999' }, /apiServer\.http\.port/],
  ];
  for (const [name, args, env, re] of invalid) {
    it(`exits 1 with one line for ${name}`, () => {
      const r = runCp(args, env);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('refuses a port already in use, naming it, with status 1', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runCp(['run'], {
        KUMA_STORE_TYPE: 'memory',
        KUMA_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
        KUMA_API_SERVER_HTTP_PORT: String(port),
        KUMA_DP_SERVER_PORT: '0',
        KUMA_BOOTSTRAP_SERVER_PORT: '0',
        KUMA_DNS_SERVER_PORT: '0',
        KUMA_DIAGNOSTICS_SERVER_PORT: '0',
        KUMA_DNS_SERVER_INTERFACE: '127.0.0.1',
        KUMA_DP_SERVER_INTERFACE: '127.0.0.1',
        KUMA_BOOTSTRAP_SERVER_INTERFACE: '127.0.0.1',
        KUMA_DIAGNOSTICS_INTERFACE: '127.0.0.1',
        KUMA_MONITORING_ASSIGNMENT_SERVER_PORT: '0',
        KUMA_MONITORING_ASSIGNMENT_SERVER_INTERFACE: '127.0.0.1',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`port ${port}`);
      expect(r.stderr.trim()).toBe(`kuma-cp: port ${port} on 127.0.0.1 is already in use (api-server)`);
    } finally {
      blocker.close();
    }
  });

  it('stops cleanly on SIGTERM and SIGINT with status 0', async () => {
    const a = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    expect(await a.stop()).toBe(0);
    const b = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    process.kill(b.pid, 'SIGINT');
    await b.waitForLog(/"msg":"stopped"/);
  });

  it('reports readiness and health on the diagnostics port', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const ready = await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/ready`);
    expect(ready.status).toBe(200);
    const healthy = await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/healthy`);
    expect(healthy.status).toBe(200);
    await cp.stop();
  });

  it('logs the effective config at start', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const line = await cp.waitForLog(/effective config/);
    const rec = JSON.parse(line) as { config: { mode: string; store: { type: string } } };
    expect(rec.config.mode).toBe('standalone');
    expect(rec.config.store.type).toBe('memory');
    await cp.stop();
  });
});

