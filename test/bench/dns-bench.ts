/**
 * DNS bench: dnsperf (Debian package `dnsperf`) over loopback UDP for a bounded time against
 *   1. the built kuma-cp (SQLite store) serving N services (`svc-<i>.mesh`, A queries), and
 *   2. a raw UDP responder baseline measured in the same run: a separate Node process that answers every
 *      datagram with one fixed pre-encoded response (only the id rewritten), i.e. the cost of Node's UDP I/O.
 * Prints QPS, average and p99 latency (from dnsperf's per-query report) and the ratio to the baseline.
 * Run alone after a build: `node dist/test/bench/dns-bench.js [seconds] [services]`.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import dnsPacket from 'dns-packet';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { report, type Figure } from './report.js';

export interface DnsBenchOptions {
  /** dnsperf run time per target. */
  readonly seconds?: number;
  readonly services?: number;
}

interface PerfResult {
  readonly qps: number;
  readonly avgMs: number;
  readonly p99Ms: number;
  readonly completed: number;
  readonly rcodes: Map<string, number>;
}

const RAW_RESPONDER_FLAG = '--raw-responder';

export async function runDnsBench(options: DnsBenchOptions = {}): Promise<Figure[]> {
  const seconds = options.seconds ?? 5;
  const services = options.services ?? 100;
  const dir = mkdtempSync(join(tmpdir(), 'dns-bench-'));
  const queries = join(dir, 'queries.txt');
  writeFileSync(queries, Array.from({ length: services }, (_, i) => `svc-${i}.mesh A\n`).join(''));

  const raw = await startRawResponder();
  let cp: CpProcess | undefined;
  try {
    const baseline = await dnsperf(raw.port, queries, seconds, dir);
    cp = await startCp();
    await createServices(cp, services);
    const kuma = await dnsperf(cp.ports.dnsUdp!, queries, seconds, dir);
    const noerror = kuma.rcodes.get('NOERROR') ?? 0;
    if (noerror !== kuma.completed) throw new Error(`kuma-cp answered ${kuma.completed - noerror} of ${kuma.completed} queries with errors: ${[...kuma.rcodes].join(', ')}`);
    const rows: Figure[] = [
      { metric: 'qps', value: kuma.qps, unit: 'q/s', baseline: baseline.qps, baselineLabel: 'raw Node UDP responder' },
      { metric: 'avg_ms', value: kuma.avgMs, unit: 'ms', baseline: baseline.avgMs, baselineLabel: 'raw Node UDP responder' },
      { metric: 'p99_ms', value: kuma.p99Ms, unit: 'ms', baseline: baseline.p99Ms, baselineLabel: 'raw Node UDP responder' },
    ];
    report('dns', `DNS bench (dnsperf, loopback UDP, ${seconds} s per target, ${services} services; baseline: raw Node UDP responder)`, rows);
    return rows;
  } finally {
    raw.stop();
    if (cp) await stopAll();
  }
}

/** N Dataplanes with one service each; resolves when the last service answers (VIPs allocated). */
async function createServices(cp: CpProcess, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const name = `dp-${i}`;
    const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/${name}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Dataplane', mesh: 'default', name, networking: { address: `10.0.${i >> 8}.${i & 255}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': `svc-${i}` } }] } }),
    });
    if (res.status >= 300) throw new Error(`PUT ${name}: ${res.status} ${await res.text()}`);
  }
  const deadline = Date.now() + 10_000;
  const probe = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: `svc-${n - 1}.mesh` }] });
  while (Date.now() < deadline) {
    const reply = await udpOnce(cp.ports.dnsUdp!, probe);
    if (reply && (dnsPacket.decode(reply).answers?.length ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`svc-${n - 1}.mesh did not resolve within 10 s`);
}

function udpOnce(port: number, msg: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish(undefined), 500);
    const finish = (b: Buffer | undefined): void => {
      clearTimeout(timer);
      s.close();
      resolve(b);
    };
    s.on('message', (m) => finish(m));
    s.send(msg, port, '127.0.0.1');
  });
}

/** Runs dnsperf with per-query reporting (-v) into a file and parses it. */
function dnsperf(port: number, queries: string, seconds: number, dir: string): Promise<PerfResult> {
  const out = join(dir, `dnsperf-${port}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queries, '-l', String(seconds), '-q', '100', '-t', '2', '-v'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error('dnsperf is not installed: run scripts/install-test-deps.sh (Debian package dnsperf)') : err),
    );
    child.on('close', (code) => {
      writeFileSync(out, Buffer.concat(chunks));
      if (code !== 0) reject(new Error(`dnsperf exited ${code}: ${stderr}`));
      else resolve(parseDnsperf(readFileSync(out, 'utf8')));
    });
  });
}

export function parseDnsperf(text: string): PerfResult {
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(text)?.[1]);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(text)?.[1]);
  const latencies: number[] = [];
  const rcodes = new Map<string, number>();
  for (const m of text.matchAll(/^> (\S+) \S+ \S+ ([\d.]+)$/gm)) {
    rcodes.set(m[1]!, (rcodes.get(m[1]!) ?? 0) + 1);
    latencies.push(Number(m[2]) * 1000);
  }
  if (!Number.isFinite(qps) || latencies.length === 0) throw new Error(`unexpected dnsperf output: ${text.slice(-500)}`);
  latencies.sort((a, b) => a - b);
  const avgMs = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  const p99Ms = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))]!;
  return { qps, avgMs, p99Ms, completed, rcodes };
}

/** The baseline in its own process (like kuma-cp), so it does not share the bench's event loop. */
function startRawResponder(): Promise<{ port: number; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), RAW_RESPONDER_FLAG], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.setEncoding('utf8').once('data', (line: string) => resolve({ port: Number(line.trim()), stop: () => child.kill() }));
  });
}

function rawResponder(): void {
  const response = dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER,
    questions: [{ type: 'A', name: 'svc-0.mesh' }],
    answers: [{ type: 'A', name: 'svc-0.mesh', ttl: 30, data: '240.0.0.0' }],
  });
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const out = Buffer.from(response);
    out[0] = msg[0] ?? 0;
    out[1] = msg[1] ?? 0;
    sock.send(out, rinfo.port, rinfo.address);
  });
  sock.bind(0, '127.0.0.1', () => process.stdout.write(`${sock.address().port}\n`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === RAW_RESPONDER_FLAG) rawResponder();
  else {
    const [seconds, services] = process.argv.slice(2).map(Number);
    await runDnsBench({ ...(seconds ? { seconds } : {}), ...(services ? { services } : {}) });
  }
}
