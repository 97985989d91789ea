import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The built kumactl (npm test builds before running vitest). */
export const KUMACTL_MAIN = resolve(import.meta.dirname, '../../', import.meta.dirname.includes('/dist/') ? '../dist/src/kumactl/main.js' : 'dist/src/kumactl/main.js');

export interface KumactlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built kumactl as its own process with HOME set to `home` (so ~/.kumactl/config is the test's). */
export function kumactl(home: string, args: readonly string[], stdin?: string): Promise<KumactlResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [KUMACTL_MAIN, ...args], { env: { ...process.env, HOME: home, NO_COLOR: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', rej);
    child.once('exit', (status) => {
      clearTimeout(timer);
      res({ status, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}

/** A fresh HOME whose kumactl config points at `apiUrl`. */
export async function kumactlHome(apiUrl: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'kumactl-home-'));
  const r = await kumactl(home, ['config', 'control-planes', 'add', '--name', 'test', '--address', apiUrl]);
  if (r.status !== 0) throw new Error(`kumactl config control-planes add failed: ${r.stderr}`);
  return home;
}
