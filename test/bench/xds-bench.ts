/**
 * xDS fan-out bench (DESIGN §3: with 2,000 proxies the CPU is the limit, so work per proxy per change must
 * be close to "write the bytes"). Spawns the built daemon, creates one mesh with S services of 2 Dataplanes
 * each and N sidecar Dataplanes (4 HTTP outbounds each) over the REST API, then connects N Envoy-style SotW
 * ADS streams from a separate client process (`xds-fanout.ts client`) and measures
 *   a. connect -> all N proxies have ACKed CDS, EDS, LDS and RDS,
 *   b. one TrafficRoute change that affects every proxy (route-all's load balancer) -> last ACK of the new
 *      config on all N streams (includes the REST write and the xDS debounce),
 *   c. daemon RSS after connect and per proxy ((after - before) / N),
 *   d. daemon CPU time (utime + stime) spent on the change,
 * each against a baseline measured in the same run: a raw @grpc/grpc-js server in its own process
 * (`xds-fanout.ts baseline`) that serves the same N streams the very DiscoveryResponse bytes the daemon sent
 * (recorded per proxy by the client), and on a trigger writes the recorded change bytes to all N streams.
 * The client does the same work (decode, subscribe, ACK) against both.
 * Run alone after a build: `node dist/test/bench/xds-bench.js [N] [S] [--profile]`. With --profile the daemon
 * runs with `cpu-profile-preload.ts`, is CPU-profiled during the change step only, and the top self-time
 * functions from the trigger to the last ACK are printed (no baseline; the profile is not kept).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import type { FromChild, PhaseTraffic, ToChild } from './xds-fanout.js';

export interface XdsBenchOptions {
  /** Connected sidecars (ADS streams). */
  readonly proxies?: number;
  /** Services in the mesh, 2 Dataplanes each. */
  readonly services?: number;
  /** CPU-profile the daemon during the change step and print its top self-time functions (skips the baseline). */
  readonly profile?: boolean;
}

export interface XdsBenchRow {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: string;
  readonly baselineValue: number;
}

const MESH = 'bench';
const OUTBOUNDS = 4;
const FANOUT = join(import.meta.dirname, 'xds-fanout.js');

type Event<K extends FromChild['ev']> = Extract<FromChild, { ev: K }>;

/** A forked bench child: send commands, await its events. */
class Child {
  private readonly proc: ChildProcess;
  private readonly queue: FromChild[] = [];
  private readonly waiters: ((m: FromChild) => void)[] = [];
  private failure: Error | undefined;

  constructor(role: 'client' | 'baseline') {
    this.proc = fork(FANOUT, [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (m: FromChild) => {
      if (m.ev === 'error') this.failure = new Error(`${role}: ${m.message}`);
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.proc.on('exit', (code) => {
      this.failure ??= new Error(`${role} exited with ${code}`);
      for (const w of this.waiters.splice(0)) w({ ev: 'error', message: this.failure.message });
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  send(msg: ToChild): void {
    this.proc.send(msg);
  }

  async next<K extends FromChild['ev']>(ev: K, timeoutMs = 100_000): Promise<Event<K>> {
    const m =
      this.queue.shift() ??
      (await new Promise<FromChild>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${ev}" within ${timeoutMs} ms`)), timeoutMs);
        this.waiters.push((x) => {
          clearTimeout(timer);
          resolve(x);
        });
      }));
    if (m.ev === 'error') throw new Error(m.message);
    if (m.ev !== ev) throw new Error(`expected "${ev}", got "${m.ev}"`);
    return m as Event<K>;
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.failure ??= new Error('closed');
    this.send({ cmd: 'close' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

// ---- /proc readings ----

const CLK_TCK = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN);
}

/** utime + stime of `pid` in ms (clock-tick resolution). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields after the command: state is field 3, utime 14, stime 15 (1-based over the whole line).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

// ---- REST set-up ----

async function put(url: string, body: object): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (res.status !== 200 && res.status !== 201) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const ip = (a: number, i: number): string => `10.${a}.${Math.floor(i / 256) % 256}.${i % 256}`;

async function createMesh(cp: CpProcess, services: number, proxies: number): Promise<void> {
  await put(`${cp.apiUrl}/meshes/${MESH}`, { type: 'Mesh', name: MESH });
  const dps: { name: string; networking: object }[] = [];
  for (let s = 0; s < services; s++) {
    for (const k of [0, 1]) {
      dps.push({
        name: `svc-${s}-${k}`,
        networking: { address: ip(1, s * 2 + k), inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': `svc-${s}`, 'kuma.io/protocol': 'http' } }] },
      });
    }
  }
  for (let i = 0; i < proxies; i++) {
    const outbound = Array.from({ length: OUTBOUNDS }, (_, j) => ({ port: 10001 + j, tags: { 'kuma.io/service': `svc-${(i + j * 13) % services}` } }));
    dps.push({
      name: `proxy-${i}`,
      networking: { address: ip(2, i), inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': 'client', 'kuma.io/protocol': 'http' } }], outbound },
    });
  }
  await pool(dps, 16, (dp) => put(`${cp.apiUrl}/meshes/${MESH}/dataplanes/${dp.name}`, { type: 'Dataplane', mesh: MESH, ...dp }));
}

/** route-all with another load balancer: every outbound cluster of every proxy changes (CDS, then EDS). */
async function changeRoute(cp: CpProcess): Promise<void> {
  const everything = [{ match: { 'kuma.io/service': '*' } }];
  await put(`${cp.apiUrl}/meshes/${MESH}/traffic-routes/route-all-${MESH}`, {
    type: 'TrafficRoute',
    mesh: MESH,
    name: `route-all-${MESH}`,
    sources: everything,
    destinations: everything,
    conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }], loadBalancer: { leastRequest: { choiceCount: 2 } } },
  });
}

// ---- one measured target (daemon or baseline) ----

interface Measured {
  readonly connectMs: number;
  readonly changeMs: number;
  readonly rssBeforeKb: number;
  readonly rssAfterKb: number;
  readonly changeCpuMs: number;
  readonly connectTraffic: PhaseTraffic;
  readonly changeTraffic: PhaseTraffic;
  readonly changeWindowNs: readonly [bigint, bigint];
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/** Connects N client streams to `address`, then runs `trigger` and waits until every stream has ACKed its result. */
interface MeasureHooks {
  /** Record every proxy's responses to this file (for the baseline). */
  readonly recordTo?: string;
  /** Around the change step (the profiler's start and stop). */
  readonly beforeChange?: () => Promise<void>;
  readonly afterChange?: () => Promise<void>;
}

async function measure(serverPid: number, address: string, n: number, trigger: () => Promise<void>, hooks: MeasureHooks = {}): Promise<Measured> {
  const client = new Child('client');
  try {
    await settle(300);
    const rssBeforeKb = rssKb(serverPid);
    client.send({ cmd: 'connect', address, n, mesh: MESH });
    const connected = await client.next('connected');
    await settle(500);
    const rssAfterKb = rssKb(serverPid);
    client.send({ cmd: 'arm' });
    await client.next('armed');
    await hooks.beforeChange?.();
    // The client reports only after a quiet period; sample the server's CPU meanwhile and keep the reading
    // taken right after the last ACK, so idle time after the change is not counted.
    const samples: [bigint, number][] = [];
    const sample = (): void => void samples.push([process.hrtime.bigint(), cpuMs(serverPid)]);
    sample();
    const cpu0 = samples[0]?.[1] ?? NaN;
    const t0 = process.hrtime.bigint();
    const sampler = setInterval(sample, 5);
    let changed: Extract<FromChild, { ev: 'changed' }>;
    try {
      await trigger();
      changed = await client.next('changed');
    } finally {
      clearInterval(sampler);
    }
    const lastAck = BigInt(changed.lastAckNs);
    const cpu1 = samples.find(([t]) => t >= lastAck)?.[1] ?? cpuMs(serverPid);
    await hooks.afterChange?.();
    if (hooks.recordTo) {
      client.send({ cmd: 'record', file: hooks.recordTo });
      await client.next('recorded');
    }
    return {
      connectMs: nsToMs(BigInt(connected.lastAckNs) - BigInt(connected.startNs)),
      changeMs: nsToMs(lastAck - t0),
      rssBeforeKb,
      rssAfterKb,
      changeCpuMs: cpu1 - cpu0,
      connectTraffic: connected.traffic,
      changeTraffic: changed.traffic,
      changeWindowNs: [t0, lastAck],
    };
  } finally {
    await client.close();
  }
}

// ---- profile ----

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  readonly fn: string;
  readonly selfMs: number;
  readonly percent: number;
}

/** Self time per function over the samples inside [from, to] (CLOCK_MONOTONIC ns; V8 ticks are the same clock in µs). */
export function topSelfTime(
  profile: CpuProfile,
  from: bigint,
  to: bigint,
  top = 10,
): { entries: ProfileEntry[]; files: ProfileEntry[]; inclusive: ProfileEntry[]; totalMs: number; windowed: boolean } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: CpuProfileNode): string => {
    const { functionName, url, lineNumber } = n.callFrame;
    return `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
  };
  const fromUs = Number(from / 1000n);
  const toUs = Number(to / 1000n);
  const windowed = fromUs >= profile.startTime && toUs <= profile.endTime;
  const self = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (windowed && (t < fromUs || t > toUs)) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const node = byId.get(profile.samples[i] ?? -1);
    if (!node) continue;
    const { functionName, url } = node.callFrame;
    const key = label(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    // Inclusive time of the project's own functions (each counted once per sample, however deep the recursion).
    const onStack = new Set<string>();
    for (let f: CpuProfileNode | undefined = node; f; f = byId.get(parent.get(f.id) ?? -1)) {
      if (f.callFrame.url.includes('/dist/src/')) onStack.add(label(f));
    }
    for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    const file = url ? fileLabel(url) : functionName.startsWith('(') ? functionName : '(native)';
    byFile.set(file, (byFile.get(file) ?? 0) + dt);
    total += dt;
  }
  const rank = (m: Map<string, number>): ProfileEntry[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, selfMs: us / 1000, percent: (100 * us) / (total || 1) }));
  return { entries: rank(self), files: rank(byFile), inclusive: rank(inclusive), totalMs: total / 1000, windowed };
}

/** `src/xds/server/ads-stream.js` for the project's files, `@grpc/grpc-js/.../http2.js` style for packages, `node:x` for core. */
function fileLabel(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (pkg) return `${pkg[1]}: ${basename(pkg[2] ?? '')}`;
  const own = /\/dist\/(.*)$/.exec(url);
  if (own) return own[1] ?? url;
  return url;
}

// ---- the bench ----

export async function runXdsBench(options: XdsBenchOptions = {}): Promise<XdsBenchRow[]> {
  const N = options.proxies ?? 500;
  const S = options.services ?? 50;
  const work = mkdtempSync(join(tmpdir(), 'xds-bench-'));
  const recordings = join(work, 'responses.json');
  const profFile = join(work, 'change.cpuprofile');
  const rows: XdsBenchRow[] = [];
  let daemon: Measured | undefined;
  let baseline: Child | undefined;
  try {
    const preload = pathToFileURL(join(import.meta.dirname, 'cpu-profile-preload.js')).href;
    const cp = await startCp({
      startTimeoutMs: 60_000,
      // The bench measures serving, not the one token check per stream: data planes connect with the dev flag.
      env: {
        KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
        ...(options.profile ? { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${preload}`.trim(), KUMA_BENCH_CPU_PROFILE: profFile } : {}),
      },
    });
    await createMesh(cp, S, N);
    const toggleProfiler = async (): Promise<void> => {
      process.kill(cp.pid, 'SIGUSR2');
      await settle(100);
    };
    daemon = await measure(cp.pid, `127.0.0.1:${cp.ports.dpServer ?? 0}`, N, () => changeRoute(cp), {
      recordTo: recordings,
      ...(options.profile ? { beforeChange: toggleProfiler, afterChange: toggleProfiler } : {}),
    });
    await cp.stop();

    if (options.profile) {
      if (!existsSync(profFile)) throw new Error(`the daemon wrote no CPU profile to ${profFile}`);
      const profile = JSON.parse(readFileSync(profFile, 'utf8')) as CpuProfile;
      const { entries, files, inclusive, totalMs, windowed } = topSelfTime(profile, ...daemon.changeWindowNs);
      console.log(`\nxDS bench: daemon CPU profile, trigger -> last ACK (${windowed ? '' : 'WHOLE profile: window not inside it, '}${totalMs.toFixed(0)} ms sampled; N=${N})`);
      console.table(entries.map((e) => ({ function: e.fn, 'self ms': e.selfMs.toFixed(1), '%': e.percent.toFixed(1) })));
      console.log('  self time by file');
      console.table(files.map((e) => ({ file: e.fn, 'self ms': e.selfMs.toFixed(1), '%': e.percent.toFixed(1) })));
      console.log("  inclusive time of the project's functions");
      console.table(inclusive.map((e) => ({ function: e.fn, 'total ms': e.selfMs.toFixed(1), '%': e.percent.toFixed(1) })));
      printDaemonOnly(daemon, N);
      return [];
    }

    const server = (baseline = new Child('baseline'));
    server.send({ cmd: 'serve', file: recordings });
    const { port } = await server.next('listening');
    const base = await measure(server.pid, `127.0.0.1:${port}`, N, async () => {
      server.send({ cmd: 'push' });
      await server.next('pushed');
    });
    const d = daemon;
    const fmtTraffic = (t: PhaseTraffic): string =>
      `${Object.entries(t.responses)
        .map(([k, v]) => `${k.slice(k.lastIndexOf('.') + 1)}=${v}`)
        .join(' ')}, ${(t.bytes / 1024).toFixed(0)} KiB`;
    rows.push(
      { figure: `(a) connect -> ${N} proxies ACKed CDS+EDS+LDS+RDS`, value: d.connectMs, unit: 'ms', baseline: 'raw grpc-js, same recorded bytes', baselineValue: base.connectMs },
      { figure: `(b) TrafficRoute change -> last ACK on ${N} streams`, value: d.changeMs, unit: 'ms', baseline: 'raw grpc-js write of same bytes', baselineValue: base.changeMs },
      { figure: '(c) server RSS after connect', value: d.rssAfterKb / 1024, unit: 'MiB', baseline: 'raw grpc-js server RSS', baselineValue: base.rssAfterKb / 1024 },
      { figure: '(c) server RSS per proxy', value: (d.rssAfterKb - d.rssBeforeKb) / N, unit: 'KiB', baseline: 'raw grpc-js per stream', baselineValue: (base.rssAfterKb - base.rssBeforeKb) / N },
      { figure: '(d) server CPU for the change', value: d.changeCpuMs, unit: 'ms', baseline: 'raw grpc-js CPU for the push', baselineValue: base.changeCpuMs },
      { figure: '(d) server CPU per proxy per change', value: (d.changeCpuMs * 1000) / N, unit: 'µs', baseline: 'raw grpc-js per stream', baselineValue: (base.changeCpuMs * 1000) / N },
    );
    printTable(rows, N, S);
    console.log(`  traffic, initial:  daemon ${fmtTraffic(d.connectTraffic)} | baseline ${fmtTraffic(base.connectTraffic)}`);
    console.log(`  traffic, change:   daemon ${fmtTraffic(d.changeTraffic)} | baseline ${fmtTraffic(base.changeTraffic)}`);
    console.log(`  RSS before connect: daemon ${(d.rssBeforeKb / 1024).toFixed(1)} MiB, baseline ${(base.rssBeforeKb / 1024).toFixed(1)} MiB`);
    console.log(
      '  notes: (b) includes the REST PUT and the xDS debounce (50 ms default) on the daemon side.\n' +
        `  (d) is /proc utime+stime (${1000 / CLK_TCK} ms ticks, sampled every 5 ms) from the trigger to the last ACK; the daemon's\n` +
        '  includes the REST request. RSS figures are absolute and move with GC; the baseline holds only recorded bytes and streams.',
    );
  } finally {
    await baseline?.close();
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

function printDaemonOnly(d: Measured, n: number): void {
  console.log(
    `  while profiled (slower than unprofiled): connect ${d.connectMs.toFixed(0)} ms, change -> last ACK ${d.changeMs.toFixed(0)} ms, ` +
      `CPU for the change ${d.changeCpuMs.toFixed(0)} ms, RSS ${(d.rssAfterKb / 1024).toFixed(1)} MiB (${((d.rssAfterKb - d.rssBeforeKb) / n).toFixed(1)} KiB/proxy)`,
  );
}

function printTable(rows: readonly XdsBenchRow[], n: number, s: number): void {
  console.log(`\nxDS bench (N=${n} sidecars, S=${s} services x 2 dataplanes, ${OUTBOUNDS} HTTP outbounds per sidecar)`);
  console.table(
    rows.map((r) => ({
      figure: r.figure,
      daemon: `${r.value.toFixed(1)} ${r.unit}`,
      baseline: r.baseline,
      'baseline value': `${r.baselineValue.toFixed(1)} ${r.unit}`,
      ratio: r.baselineValue > 0 ? (r.value / r.baselineValue).toFixed(2) : 'n/a',
    })),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const [n, s] = args.filter((a) => !a.startsWith('--')).map(Number);
  await runXdsBench({ ...(n ? { proxies: n } : {}), ...(s ? { services: s } : {}), profile: args.includes('--profile') });
}
