/**
 * The bench side of `cpu-profile-preload`: the environment that preloads it into a daemon, the signal that starts and
 * stops its CPU profiler, and reading the profile it writes.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CpProcess } from '../helpers/cp-process.js';
import { printProfile, type CpuProfile } from './cpu-profile.js';

/** Environment for a daemon that profiles on SIGUSR2 into `profileFile` (and heap-snapshots on SIGWINCH into `heapFile`). */
export function profilerEnv(profileFile: string, heapFile?: string): Record<string, string> {
  const preload = pathToFileURL(join(import.meta.dirname, 'cpu-profile-preload.js')).href;
  return {
    NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${preload}`.trim(),
    KUMA_BENCH_CPU_PROFILE: profileFile,
    ...(heapFile ? { KUMA_BENCH_HEAP_SNAPSHOT: heapFile } : {}),
  };
}

/** Starts the daemon's profiler, or stops it and has it write the profile. */
export async function toggleProfiler(cp: CpProcess): Promise<void> {
  process.kill(cp.pid, 'SIGUSR2');
  await new Promise((r) => setTimeout(r, 200));
}

/** Waits for the profile the daemon writes after the second toggle, prints the window [from, to] of it and removes the file. */
export function printProfileFile(file: string, title: string, from: bigint, to: bigint, top?: number): void {
  for (let i = 0; i < 100 && !existsSync(file); i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  if (!existsSync(file)) throw new Error(`the daemon wrote no CPU profile to ${file}`);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  rmSync(file);
  printProfile(title, profile, from, to, top);
}
