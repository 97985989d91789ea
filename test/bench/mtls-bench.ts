/**
 * Workload-certificate signing bench (issue 9 point 2: signing must not stall the event loop for other
 * proxies). N = S x R transparent-proxy sidecars (default 100 x 20 = 2,000) connect at once, as after a
 * control-plane restart, to a daemon whose mesh has a builtin CA enabled: each needs its own certificate
 * (ECDSA P-256 key + signature) before its config is complete. Measured from connect to every proxy having
 * ACKed CDS, EDS, LDS, RDS and SDS: the time, the daemon's CPU, and DNS answers meanwhile (a query every 50 ms,
 * 1 s to answer: the event loop stays responsive or it does not). The baseline, in the same run, is the same
 * mesh without mTLS (no certificates, no SDS); the difference in CPU divided by N is the cost per certificate.
 * The daemon's own event-loop delay over the connect (max and p99 of `nodejs_eventloop_lag_*_seconds` on its
 * /metrics, whose histogram restarts at every scrape: one scrape before the connect, one after) says the same
 * from inside: a stalled loop delays every stream, DNS and the API alike.
 * `npm run bench -- mtls [--services S --replicas R] [--profile]`; with --profile the daemon is CPU-profiled
 * (main thread) during the mTLS connect and its top functions are printed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TYPE_URLS } from '../../src/xds/resource.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { printProfileFile, profilerEnv, toggleProfiler } from './daemon-profiler.js';
import { percentile, startDnsProbe } from './dns-probe.js';
import type { Flags } from './flags.js';
import { cpuMs } from './proc.js';
import { report, type Figure } from './report.js';
import { Child, connect, proxyIds, type Connected } from './xds-bench.js';
import { createMesh } from './xds-mesh.js';

export interface MtlsBenchOptions {
  readonly services?: number;
  readonly replicas?: number;
  /** CPU-profile the daemon's main thread during the mTLS connect and print its top functions. */
  readonly profile?: boolean;
}

interface LoopDelay {
  readonly maxMs: number;
  readonly p99Ms: number;
}

interface ConnectRun {
  readonly connected: Connected;
  readonly cpuMs: number;
  readonly dnsLatenciesMs: readonly number[];
  readonly dnsUnanswered: number;
  readonly loopDelay: LoopDelay;
}

const progress = (msg: string): void => void process.stderr.write(`mtls bench: ${msg}\n`);

/** The daemon's event-loop delay since the previous scrape of its /metrics (prom-client resets the histogram per scrape). */
async function scrapeLoopDelay(cp: CpProcess): Promise<LoopDelay> {
  const text = await (await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/metrics`)).text();
  const seconds = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { maxMs: seconds('nodejs_eventloop_lag_max_seconds') * 1000, p99Ms: seconds('nodejs_eventloop_lag_p99_seconds') * 1000 };
}

async function connectAll(services: number, replicas: number, mtls: boolean, profileDir?: string): Promise<ConnectRun> {
  const profileFile = profileDir ? join(profileDir, 'connect.cpuprofile') : undefined;
  // As the xDS bench: the memory store and no per-stream token check, so what differs is the certificates.
  const cp = await startCp({
    startTimeoutMs: 60_000,
    env: {
      KUMA_STORE_TYPE: 'memory',
      KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none',
      ...(profileFile ? profilerEnv(profileFile) : {}),
    },
  });
  try {
    await createMesh(cp, services, replicas, mtls);
    const client = new Child('client');
    try {
      const names = Array.from({ length: services }, (_, s) => `svc-${s}.mesh`);
      await scrapeLoopDelay(cp);
      if (profileFile) await toggleProfiler(cp);
      const dns = startDnsProbe(cp.ports.dnsUdp ?? 0, names);
      const cpu0 = cpuMs(cp.pid);
      const t0 = process.hrtime.bigint();
      const connected = await connect(client, cp.pid, `127.0.0.1:${cp.ports.dpServer ?? 0}`, proxyIds(services, replicas), mtls);
      const cpu = cpuMs(cp.pid) - cpu0;
      const probe = await dns.stop();
      const loopDelay = await scrapeLoopDelay(cp);
      if (profileFile) {
        await toggleProfiler(cp);
        printProfileFile(profileFile, 'mTLS bench: daemon main-thread CPU profile, connect -> last ACK', t0, BigInt(connected.result.lastAckNs), 25);
      }
      progress(`${mtls ? 'mTLS' : 'plain'}: ${connected.result.done} proxies ready in ${Math.round(connected.ms)} ms`);
      return { connected, cpuMs: cpu, dnsLatenciesMs: probe.latenciesMs, dnsUnanswered: probe.unanswered, loopDelay };
    } finally {
      await client.close();
    }
  } finally {
    await stopAll();
  }
}

export async function runMtlsBench(options: MtlsBenchOptions = {}): Promise<Figure[]> {
  const services = options.services ?? 100;
  const replicas = options.replicas ?? 20;
  const n = services * replicas;
  const plain = await connectAll(services, replicas, false);
  const profileDir = options.profile ? mkdtempSync(join(tmpdir(), 'mtls-bench-')) : undefined;
  let mtls: ConnectRun;
  try {
    mtls = await connectAll(services, replicas, true, profileDir);
  } finally {
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
  const base = 'same mesh without mTLS';
  const incomplete = mtls.connected.result.complete ? {} : { note: `only ${mtls.connected.result.done} of ${n} proxies got their config and certificate within the timeout` };
  const figures: Figure[] = [
    { metric: 'proxies', value: n, unit: 'count' },
    { metric: 'connect_all_acked_ms', value: mtls.connected.ms, unit: 'ms', baseline: plain.connected.ms, baselineLabel: base, ...incomplete },
    { metric: 'cp_cpu_s_connect', value: mtls.cpuMs / 1000, unit: 's', baseline: plain.cpuMs / 1000, baselineLabel: base },
    { metric: 'cp_cpu_ms_per_certificate', value: (mtls.cpuMs - plain.cpuMs) / n, unit: 'ms', note: 'CPU difference with the baseline / proxies' },
    { metric: 'sds_responses', value: mtls.connected.result.traffic.responses[TYPE_URLS.secret] ?? 0, unit: 'count', note: `one per proxy expected (${n})` },
    {
      metric: 'dns_p99_during_connect_ms',
      value: percentile(mtls.dnsLatenciesMs, 99),
      unit: 'ms',
      baseline: percentile(plain.dnsLatenciesMs, 99),
      baselineLabel: base,
      target: 100,
      note: `${mtls.dnsLatenciesMs.length} answered`,
    },
    { metric: 'dns_unanswered_during_connect', value: mtls.dnsUnanswered, unit: 'count', baseline: plain.dnsUnanswered, baselineLabel: base, target: 0 },
    { metric: 'cp_event_loop_delay_max_ms', value: mtls.loopDelay.maxMs, unit: 'ms', baseline: plain.loopDelay.maxMs, baselineLabel: base, note: 'the daemon\'s own monitorEventLoopDelay over the connect (/metrics)' },
    { metric: 'cp_event_loop_delay_p99_ms', value: mtls.loopDelay.p99Ms, unit: 'ms', baseline: plain.loopDelay.p99Ms, baselineLabel: base },
  ];
  report('mtls', `mTLS signing bench: ${n} sidecars (${services} services x ${replicas}) connecting at once to a mesh with a builtin CA`, figures);
  return figures;
}

/** Options from `npm run bench -- mtls` flags. */
export function mtlsOptions(flags: Flags): MtlsBenchOptions {
  const services = flags.number('services');
  const replicas = flags.number('replicas');
  return { ...(services ? { services } : {}), ...(replicas ? { replicas } : {}), profile: flags.has('profile') };
}
