/**
 * xDS fan-out bench (issue 12; DESIGN §3: with 2,000 proxies the CPU is the limit, so work per proxy per
 * change must be close to "write the bytes"). Per scenario (S services x R replicas, N = S x R proxies, each a
 * transparent-proxy sidecar reaching every service through its VIP outbounds; defaults (a) 100 x 20 and
 * (b) 1,000 x 2, Kong mesh-perf's shape), it spawns the built daemon, creates the mesh over the REST API,
 * connects N Envoy-style SotW ADS streams (each its own connection) from a separate process
 * (`xds-fanout.ts client`) and measures
 *   - connect -> every proxy has ACKed CDS, EDS, LDS and RDS (`initial_all_acked_ms`),
 *   - K mesh-wide Timeout changes -> last ACK on all N streams (`change_all_acked_{p50,p99,max}_ms` over the
 *     K changes; includes the REST write and the xDS debounce), the daemon's CPU per change and the bytes,
 *   - one endpoint change (one more instance of svc-0) -> its bytes and time (`endpoint_change_*`),
 *   - the daemon's RSS at steady state and its peak (VmHWM), and DNS answers during the changes (a query
 *     every 50 ms, 1 s to answer),
 * against a baseline in the same run: a raw @grpc/grpc-js server in its own process (`xds-fanout.ts
 * baseline`) serving the same streams the bytes the daemon sent (recorded by the client), and pushing the
 * recorded change bytes K times. Targets (issue 12) are printed with each figure and never asserted.
 * `npm run bench -- xds [--scenario a|b] [--services S --replicas R] [--proxies N] [--changes K] [--profile]`;
 * `--proxies N` connects only the first N of the S x R sidecars (same config per proxy, fewer proxies).
 * With --profile the daemon is CPU-profiled during the first change (no baseline), and the top functions
 * are printed; `--profile=connect` profiles the connect phase instead. `--heap-snapshots DIR` writes a V8
 * heap snapshot of the daemon at steady state after the connect (`connected.heapsnapshot`) into DIR;
 * `--daemon-log FILE` keeps the daemon's log lines.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { printProfileFile, profilerEnv, toggleProfiler } from './daemon-profiler.js';
import { percentile, startDnsProbe } from './dns-probe.js';
import type { Flags } from './flags.js';
import { cpuMs, peakRssKb, rssKb } from './proc.js';
import { report, type Figure } from './report.js';
import { addEndpoint, changeTimeout, createMesh, MESH, proxyName } from './xds-mesh.js';
import type { FromChild, PhaseResult, ToChild } from './xds-fanout.js';

export interface XdsScenario {
  readonly label: string;
  readonly services: number;
  readonly replicas: number;
  /** Proxies that connect (the first of the S x R Dataplanes); default all. Fewer keep the per-proxy config size at a smaller N. */
  readonly connect?: number;
}

export interface XdsBenchOptions {
  readonly scenarios?: readonly XdsScenario[];
  /** Mesh-wide changes measured per scenario. */
  readonly changes?: number;
  /** CPU-profile the daemon during the first change (or the connect) and print its top functions (skips the baseline). */
  readonly profile?: 'change' | 'connect';
  /** Directory for a heap snapshot of the daemon after the connect (skips the baseline). */
  readonly heapSnapshots?: string;
  /** File the daemon's log lines are written to when its run ends. */
  readonly daemonLog?: string;
  /** Another build's `dist/src/cli/main.js` to measure (before/after comparisons with the same bench code). */
  readonly cpMain?: string;
}

export const DEFAULT_SCENARIOS: readonly XdsScenario[] = [
  { label: 'a', services: 100, replicas: 20 },
  { label: 'b', services: 1000, replicas: 2 },
];

const FANOUT = join(import.meta.dirname, 'xds-fanout.js');
const CONNECT_TIMEOUT_MS = 120_000;
const CHANGE_TIMEOUT_MS = 60_000;
/**
 * Issue 12: each bench finishes in under 4 minutes. `npm run bench -- xds` gets XDS_BUDGET_MS for all its
 * scenarios, shared by weight (1 + services / 500: (a) 66 s, (b) 164 s by default; one scenario alone gets
 * it all). Within a scenario (daemon start, mesh, daemon phases, baseline) the daemon's phases must end
 * DAEMON_SHARE of it in, the baseline gets the rest.
 * A phase that runs out of time reports what it saw (`complete` false: the figure says "only k of N"), and
 * changes that no longer fit are not run (the table names how many were measured).
 */
const XDS_BUDGET_MS = 230_000;
const budgetWeight = (sc: XdsScenario): number => 1 + sc.services / 500;
const DAEMON_SHARE = 0.64;
/** Caps per phase within the budget, and what each leaves for the phases after it. */
const CONNECT_CAP_MS = 100_000;
const CHANGE_CAP_MS = 50_000;
const ENDPOINT_CAP_MS = 15_000;
const AFTER_CONNECT_MS = 25_000;
/** A change is not started with less than this left (it would only measure the timeout). */
const MIN_CHANGE_MS = 8_000;
/**
 * How long the parent waits for a child's report beyond the child's own deadline: the client shares the
 * host's two cores with the daemon, and under a reconnect storm its timers fire late (15 s was too short once).
 */
const REPORT_GRACE_MS = 45_000;

/** Time left until a fixed end: phases take at most their cap and leave a reserve for what follows. */
export class Budget {
  constructor(readonly end: number) {}

  static of(ms: number): Budget {
    return new Budget(Date.now() + ms);
  }

  left(): number {
    return this.end - Date.now();
  }

  /** Milliseconds a phase may take: at most `capMs`, leaving `reserveMs`; at least 1 s. */
  allow(capMs: number, reserveMs = 0): number {
    return Math.max(1000, Math.min(capMs, this.left() - reserveMs));
  }
}

type Event<K extends FromChild['ev']> = Extract<FromChild, { ev: K }>;

/** A forked bench child: send commands, await its events. */
export class Child {
  private readonly proc: ChildProcess;
  private readonly queue: FromChild[] = [];
  private readonly waiters: ((m: FromChild) => void)[] = [];
  private failure: Error | undefined;

  constructor(role: 'client' | 'baseline') {
    this.proc = fork(FANOUT, [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=4096'] });
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

  async next<K extends FromChild['ev']>(ev: K, timeoutMs: number): Promise<Event<K>> {
    const m =
      this.queue.shift() ??
      (await new Promise<FromChild>((resolve, reject) => {
        const waiter = (x: FromChild): void => {
          clearTimeout(timer);
          resolve(x);
        };
        // A waiter that timed out must not swallow the child's late report (the next `next` gets it).
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error(`no "${ev}" within ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiters.push(waiter);
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

/** Progress on stderr (stdout carries the tables and JSON lines). */
const progress = (msg: string): void => void process.stderr.write(`xds bench: ${msg}\n`);

/** The ids of the bench mesh's S x R proxies (`<mesh>.<name>`). */
export function proxyIds(services: number, replicas: number): string[] {
  const ids: string[] = [];
  for (let s = 0; s < services; s++) for (let r = 0; r < replicas; r++) ids.push(`${MESH}.${proxyName(s, r)}`);
  return ids;
}

/** The ids of the proxies of `sc` that connect. */
function connectingIds(sc: XdsScenario): string[] {
  const all = proxyIds(sc.services, sc.replicas);
  return sc.connect === undefined ? all : all.slice(0, sc.connect);
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

/** One phase seen from the bench: time from the trigger to the last ACK, CPU of the server meanwhile. */
interface PhaseMeasure {
  readonly ms: number;
  readonly cpuMs: number;
  /** CPU of the bench client (the N simulated proxies) over the same window: it shares the host's cores. */
  readonly clientCpuMs: number;
  readonly result: PhaseResult;
  readonly windowNs: readonly [bigint, bigint];
}

/** Arms the client, runs `trigger`, waits until every stream has received and ACKed something. */
async function measureChange(client: Child, serverPid: number, record: boolean, trigger: () => Promise<void>, timeoutMs = CHANGE_TIMEOUT_MS, expectBytes?: number): Promise<PhaseMeasure> {
  client.send({ cmd: 'arm', record, timeoutMs, ...(expectBytes ? { expectBytes } : {}) });
  await client.next('armed', 10_000);
  // The client reports only after a quiet period; sample the server's CPU meanwhile and keep the reading
  // taken right after the last ACK, so idle time after the change is not counted.
  const samples: [bigint, number, number][] = [];
  const sample = (): void => void samples.push([process.hrtime.bigint(), cpuMs(serverPid), cpuMs(client.pid)]);
  sample();
  const cpu0 = samples[0]?.[1] ?? NaN;
  const clientCpu0 = samples[0]?.[2] ?? NaN;
  const t0 = process.hrtime.bigint();
  const sampler = setInterval(sample, 5);
  let changed: Event<'changed'>;
  try {
    await trigger();
    changed = await client.next('changed', timeoutMs + REPORT_GRACE_MS);
  } finally {
    clearInterval(sampler);
  }
  const lastAck = BigInt(changed.lastAckNs);
  progress(`change: ${lastAck > 0n ? Math.round(nsToMs(lastAck - t0)) : 'no ACK'} ms, ${changed.traffic.bytes} bytes${expectBytes ? ` (expected ${expectBytes})` : ''}, ${changed.done} proxies`);
  const after = samples.find(([t]) => t >= lastAck);
  const cpu1 = after?.[1] ?? cpuMs(serverPid);
  const clientCpu1 = after?.[2] ?? cpuMs(client.pid);
  return { ms: lastAck > 0n ? nsToMs(lastAck - t0) : NaN, cpuMs: cpu1 - cpu0, clientCpuMs: clientCpu1 - clientCpu0, result: changed, windowNs: [t0, lastAck] };
}

export interface Connected {
  readonly ms: number;
  readonly result: PhaseResult;
  /** CPU of the server and of the bench client from the connect to the client's report. */
  readonly serverCpuMs: number;
  readonly clientCpuMs: number;
}

/** Opens one ADS stream per id at once; resolves when every one has ACKed each type (SDS too with `sds`). */
export async function connect(client: Child, serverPid: number, address: string, ids: string[], sds = false, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Connected> {
  const server0 = cpuMs(serverPid);
  const client0 = cpuMs(client.pid);
  client.send({ cmd: 'connect', address, ids, timeoutMs, sds });
  const c = await client.next('connected', timeoutMs + REPORT_GRACE_MS);
  return { ms: nsToMs(BigInt(c.lastAckNs) - BigInt(c.startNs)), result: c, serverCpuMs: cpuMs(serverPid) - server0, clientCpuMs: cpuMs(client.pid) - client0 };
}

interface DaemonRun {
  readonly connected: Connected;
  readonly changes: PhaseMeasure[];
  readonly endpoint: PhaseMeasure;
  readonly rssKb: number;
  readonly peakRssKb: number;
  readonly dnsLatenciesMs: number[];
  readonly dnsUnanswered: number;
}

interface Diagnostics {
  readonly profile: 'change' | 'connect' | undefined;
  readonly heapSnapshots: string | undefined;
  readonly daemonLog: string | undefined;
  readonly cpMain: string | undefined;
}

/** `budget`: when the daemon's phases must be done (the baseline runs after). */
async function runDaemon(cp: CpProcess, sc: XdsScenario, changes: number, work: string, diag: Diagnostics, budget: Budget): Promise<DaemonRun> {
  const ids = connectingIds(sc);
  const client = new Child('client');
  try {
    if (diag.profile === 'connect') await toggleProfiler(cp);
    const t0 = process.hrtime.bigint();
    const connected = await connect(client, cp.pid, `127.0.0.1:${cp.ports.dpServer ?? 0}`, ids, false, budget.allow(CONNECT_CAP_MS, AFTER_CONNECT_MS));
    if (!connected.result.complete) progress(`(${sc.label}) only ${connected.result.done} of ${ids.length} proxies configured within the connect limit`);
    if (diag.profile === 'connect') {
      await toggleProfiler(cp);
      printProfileFile(join(work, 'phase.cpuprofile'), `xDS bench (${sc.label}): daemon CPU profile, connect -> every proxy ACKed`, t0, BigInt(connected.result.lastAckNs));
    }
    await settle(1000);
    const steadyRss = rssKb(cp.pid);
    if (diag.heapSnapshots) await heapSnapshot(cp, join(diag.heapSnapshots, `${sc.label}-${ids.length}-connected.heapsnapshot`));
    const measured: PhaseMeasure[] = [];
    const dnsLatenciesMs: number[] = [];
    let dnsUnanswered = 0;
    const names = Array.from({ length: sc.services }, (_, s) => `svc-${s}.mesh`);
    for (let k = 0; k < changes; k++) {
      // Another change only if one as long as the last still leaves the endpoint change its time.
      const expected = Math.max(MIN_CHANGE_MS, 1.2 * (measured.at(-1)?.ms ?? 0));
      if (k > 0 && budget.left() < expected + ENDPOINT_CAP_MS) {
        progress(`(${sc.label}) ${k} of ${changes} changes measured: the others do not fit in the bench's time budget`);
        break;
      }
      const profiled = diag.profile === 'change' && k === 0;
      if (profiled) await toggleProfiler(cp);
      const dns = startDnsProbe(cp.ports.dnsUdp ?? 0, names);
      const m = await measureChange(client, cp.pid, k === 0, () => changeTimeout(cp, k + 1), budget.allow(CHANGE_CAP_MS, ENDPOINT_CAP_MS / 2));
      const probe = await dns.stop();
      if (profiled) await toggleProfiler(cp);
      dnsLatenciesMs.push(...probe.latenciesMs);
      dnsUnanswered += probe.unanswered;
      measured.push(m);
      if (profiled) printProfileFile(join(work, 'phase.cpuprofile'), `xDS bench (${sc.label}): daemon CPU profile, trigger -> last ACK of the first change`, ...m.windowNs);
    }
    const endpoint = await measureChange(client, cp.pid, false, () => addEndpoint(cp, 0, sc.replicas, sc.services * sc.replicas), budget.allow(ENDPOINT_CAP_MS));
    const peak = peakRssKb(cp.pid);
    client.send({ cmd: 'record', file: join(work, 'responses.json') });
    await client.next('recorded', 30_000);
    return { connected, changes: measured, endpoint, rssKb: steadyRss, peakRssKb: peak, dnsLatenciesMs, dnsUnanswered };
  } finally {
    await client.close();
  }
}

/** Asks the daemon (preloaded with cpu-profile-preload) for a heap snapshot and waits until it is written. */
async function heapSnapshot(cp: CpProcess, file: string): Promise<void> {
  const done = `${file}.done`;
  process.kill(cp.pid, 'SIGWINCH');
  for (let i = 0; i < 3000 && !existsSync(done); i++) await settle(100);
  if (!existsSync(done)) throw new Error(`the daemon wrote no heap snapshot to ${file}`);
  rmSync(done);
  progress(`heap snapshot ${file}`);
}

interface BaselineRun {
  readonly connected: Connected;
  readonly changes: PhaseMeasure[];
  readonly rssKb: number;
}

/**
 * `changes`: as many as the daemon's run measured; `budget`: the end of the scenario; `changeBytes`: what one
 * push carries (the recorded change). A push is measured until all its bytes arrived: the raw server writes
 * without waiting for ACKs, so a quiet moment in the middle of a push must not end the phase (it did: one
 * push of 2.6 GB "took" 1.6 s, the rest of the previous one).
 */
async function runBaseline(sc: XdsScenario, changes: number, work: string, budget: Budget, changeBytes: number): Promise<BaselineRun> {
  const server = new Child('baseline');
  const client = new Child('client');
  try {
    server.send({ cmd: 'serve', file: join(work, 'responses.json') });
    const { port } = await server.next('listening', 30_000);
    const perChange = (budget.left() * 0.4) / Math.max(1, changes);
    const connected = await connect(client, server.pid, `127.0.0.1:${port}`, connectingIds(sc), false, budget.allow(CONNECT_CAP_MS, changes * Math.min(perChange, CHANGE_CAP_MS)));
    await settle(1000);
    const rss = rssKb(server.pid);
    const measured: PhaseMeasure[] = [];
    for (let k = 0; k < changes; k++) {
      measured.push(
        await measureChange(
          client,
          server.pid,
          false,
          async () => {
            server.send({ cmd: 'push' });
            await server.next('pushed', 10_000);
          },
          budget.allow(CHANGE_CAP_MS, (changes - k - 1) * 2000),
          changeBytes,
        ),
      );
    }
    return { connected, changes: measured, rssKb: rss };
  } finally {
    await client.close();
    await server.close();
  }
}

export async function runXdsScenario(sc: XdsScenario, changes: number, diag: Diagnostics, budgetMs = XDS_BUDGET_MS): Promise<Figure[]> {
  const started = Date.now();
  const budget = new Budget(started + budgetMs);
  const work = mkdtempSync(join(tmpdir(), 'xds-bench-'));
  const n = connectingIds(sc).length;
  try {
    // The memory store: the bench measures xDS, and 2,000 REST writes into SQLite would dominate its set-up.
    const cp = await startCp({
      startTimeoutMs: 60_000,
      ...(diag.cpMain ? { main: diag.cpMain } : {}),
      // The bench measures serving, not the one token check per stream: data planes connect with the dev flag.
      env: {
        KUMA_STORE_TYPE: 'memory',
        KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
        ...(diag.profile || diag.heapSnapshots
          ? profilerEnv(join(work, 'phase.cpuprofile'), diag.heapSnapshots ? join(diag.heapSnapshots, `${sc.label}-${n}-connected.heapsnapshot`) : undefined)
          : {}),
      },
    });
    let t = Date.now();
    await createMesh(cp, sc.services, sc.replicas, false, budget.allow(60_000, 120_000));
    progress(`(${sc.label}) mesh of ${sc.services * sc.replicas} Dataplanes created in ${Date.now() - t} ms`);
    t = Date.now();
    // Diagnostic runs (profile, heap snapshot) have no baseline: the daemon gets the whole budget.
    const baseline = !(diag.profile || diag.heapSnapshots);
    const d = await runDaemon(cp, sc, changes, work, diag, new Budget(baseline ? started + budgetMs * DAEMON_SHARE : budget.end)).finally(() => {
      if (diag.daemonLog) writeFileSync(diag.daemonLog, `${cp.logs().join('\n')}\n`);
    });
    await cp.stop();
    progress(`(${sc.label}) daemon measured in ${Date.now() - t} ms`);
    const b = baseline ? await runBaseline(sc, d.changes.length, work, budget, d.changes[0]?.result.traffic.bytes ?? 0) : undefined;
    return figures(sc, n, changes, d, b);
  } finally {
    await stopAll();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Issue 12's targets. */
const RSS_TARGET_MB = (n: number): number => 150 + (75 * n) / 1024;

function figures(sc: XdsScenario, n: number, asked: number, d: DaemonRun, b: BaselineRun | undefined): Figure[] {
  const s = sc.label;
  const raw = 'raw grpc-js, same bytes';
  const incomplete = (r: PhaseResult, what: string): string | undefined => (r.complete ? undefined : `only ${r.done} of ${n} proxies ${what} within the timeout`);
  const changeMs = d.changes.map((c) => c.ms);
  // A baseline push cut short by the time budget measured part of the bytes: it is no baseline.
  const basePushes = b?.changes.filter((c) => c.result.complete) ?? [];
  const baseMs = basePushes.map((c) => c.ms);
  const fewer = d.changes.length < asked ? `${d.changes.length} of ${asked} changes fit in the time budget` : undefined;
  const fewerBase = b && basePushes.length < b.changes.length ? `baseline: ${basePushes.length} of ${b.changes.length} pushes completed within the time budget` : undefined;
  const missedChange = [...d.changes.map((c) => incomplete(c.result, 'got the change')), fewer, fewerBase].filter(Boolean).join('; ') || undefined;
  const pct = (xs: number[], p: number): number | undefined => (xs.length ? percentile(xs, p) : undefined);
  const opt = (x: number | undefined): { baseline?: number } => (x !== undefined ? { baseline: x } : {});
  const note = (x: string | undefined): { note?: string } => (x ? { note: x } : {});
  const change = (metric: string, p: number): Figure => ({
    scenario: s,
    metric,
    value: pct(changeMs, p) ?? NaN,
    unit: 'ms',
    ...opt(pct(baseMs, p)),
    baselineLabel: raw,
    target: 1.5,
    targetOn: 'ratio',
    ...note(missedChange),
  });
  const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / (xs.length || 1);
  const rssTarget = RSS_TARGET_MB(n);
  return [
    { scenario: s, metric: 'proxies', value: n, unit: 'count' },
    { scenario: s, metric: 'services', value: sc.services, unit: 'count' },
    {
      scenario: s,
      metric: 'initial_all_acked_ms',
      value: d.connected.ms,
      unit: 'ms',
      ...opt(b?.connected.ms),
      baselineLabel: raw,
      target: 2,
      targetOn: 'ratio',
      ...note(incomplete(d.connected.result, 'ACKed CDS+EDS+LDS+RDS')),
    },
    { scenario: s, metric: 'initial_bytes', value: d.connected.result.traffic.bytes / 2 ** 20, unit: 'MiB', ...opt(b ? b.connected.result.traffic.bytes / 2 ** 20 : undefined) },
    change('change_all_acked_p50_ms', 50),
    change('change_all_acked_p99_ms', 99),
    change('change_all_acked_max_ms', 100),
    { scenario: s, metric: 'change_bytes', value: mean(d.changes.map((c) => c.result.traffic.bytes)) / 2 ** 20, unit: 'MiB' },
    { scenario: s, metric: 'cp_cpu_s_connect', value: d.connected.serverCpuMs / 1000, unit: 's', ...opt(b ? b.connected.serverCpuMs / 1000 : undefined), baselineLabel: 'raw grpc-js CPU' },
    { scenario: s, metric: 'client_cpu_s_connect', value: d.connected.clientCpuMs / 1000, unit: 's', ...opt(b ? b.connected.clientCpuMs / 1000 : undefined), baselineLabel: 'same client against raw grpc-js', note: 'the N simulated proxies share the host\'s cores' },
    { scenario: s, metric: 'client_cpu_s_per_change', value: mean(d.changes.map((c) => c.clientCpuMs)) / 1000, unit: 's', ...opt(basePushes.length ? mean(basePushes.map((c) => c.clientCpuMs)) / 1000 : undefined), baselineLabel: 'same client against raw grpc-js' },
    { scenario: s, metric: 'cp_cpu_s_per_change', value: mean(d.changes.map((c) => c.cpuMs)) / 1000, unit: 's', ...opt(basePushes.length ? mean(basePushes.map((c) => c.cpuMs)) / 1000 : undefined), baselineLabel: 'raw grpc-js CPU per push' },
    {
      scenario: s,
      metric: 'endpoint_change_bytes',
      value: d.endpoint.result.traffic.bytes,
      unit: 'B',
      note: `${Object.entries(d.endpoint.result.traffic.responses)
        .map(([t, c]) => `${t.slice(t.lastIndexOf('.') + 1)}=${c}`)
        .join(' ')} to ${d.endpoint.result.traffic.streams} streams${d.endpoint.result.complete ? '' : ' (not every proxy got it)'}`,
    },
    { scenario: s, metric: 'endpoint_change_all_acked_ms', value: d.endpoint.ms, unit: 'ms' },
    { scenario: s, metric: 'cp_rss_mb', value: d.rssKb / 1024, unit: 'MB', ...opt(b ? b.rssKb / 1024 : undefined), baselineLabel: 'raw grpc-js server RSS', target: Math.round(rssTarget) },
    { scenario: s, metric: 'cp_peak_rss_mb', value: d.peakRssKb / 1024, unit: 'MB', target: Math.round(rssTarget * 1.5) },
    { scenario: s, metric: 'dns_p99_during_change_ms', value: percentile(d.dnsLatenciesMs, 99), unit: 'ms', target: 100, note: `${d.dnsLatenciesMs.length} answered` },
    { scenario: s, metric: 'dns_unanswered_during_change', value: d.dnsUnanswered, unit: 'count', target: 0 },
    { scenario: s, metric: 'stream_reconnects', value: d.endpoint.result.reconnects, unit: 'count', ...opt(b?.changes.at(-1)?.result.reconnects), note: `streams the server dropped (connect included)${d.endpoint.result.dropReasons ? `: ${d.endpoint.result.dropReasons}` : ''}` },
  ];
}

export async function runXdsBench(options: XdsBenchOptions = {}): Promise<Figure[]> {
  const all: Figure[] = [];
  const changes = options.changes ?? 3;
  const scenarios = options.scenarios ?? DEFAULT_SCENARIOS;
  const weights = scenarios.reduce((w, sc) => w + budgetWeight(sc), 0);
  for (const sc of scenarios) {
    const diag = { profile: options.profile, heapSnapshots: options.heapSnapshots, daemonLog: options.daemonLog, cpMain: options.cpMain };
    const figs = await runXdsScenario(sc, changes, diag, (XDS_BUDGET_MS * budgetWeight(sc)) / weights);
    report(
      'xds',
      `xDS bench (${sc.label}): ${sc.services} services x ${sc.replicas} replicas = ${sc.services * sc.replicas} transparent-proxy sidecars${sc.connect !== undefined ? ` (${connectingIds(sc).length} connected)` : ''}, ${changes} mesh-wide Timeout changes, one endpoint change`,
      figs,
    );
    all.push(...figs);
  }
  return all;
}

/** Options from `npm run bench -- xds` flags. */
export function xdsOptions(flags: Flags): XdsBenchOptions {
  const services = flags.number('services');
  const replicas = flags.number('replicas');
  const picked = flags.string('scenario');
  let scenarios = DEFAULT_SCENARIOS;
  const proxies = flags.number('proxies');
  if (services !== undefined || replicas !== undefined) scenarios = [{ label: 'custom', services: services ?? 100, replicas: replicas ?? 2 }];
  else if (picked) {
    scenarios = DEFAULT_SCENARIOS.filter((s) => picked.split(',').includes(s.label));
    if (scenarios.length === 0) throw new Error(`--scenario ${picked}: choose a, b or a,b`);
  }
  if (proxies !== undefined) scenarios = scenarios.map((s) => ({ ...s, connect: proxies }));
  const changes = flags.number('changes');
  const profile = flags.string('profile');
  if (profile !== undefined && profile !== 'true' && profile !== 'connect') throw new Error(`--profile=${profile}: use --profile (first change) or --profile=connect`);
  const heapSnapshots = flags.string('heap-snapshots');
  const daemonLog = flags.string('daemon-log');
  const cpMain = flags.string('cp-main');
  return {
    scenarios,
    ...(changes ? { changes } : {}),
    ...(profile ? { profile: profile === 'connect' ? 'connect' : 'change' } : {}),
    ...(heapSnapshots ? { heapSnapshots } : {}),
    ...(daemonLog ? { daemonLog } : {}),
    ...(cpMain ? { cpMain } : {}),
  } as const;
}
