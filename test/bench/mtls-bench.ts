/**
 * Workload-certificate signing bench (issue 9 point 2: signing must not stall the event loop for other
 * proxies). N = S x R transparent-proxy sidecars (default 100 x 20 = 2,000) connect at once, as after a
 * control-plane restart, to a daemon whose mesh has a builtin CA enabled: each needs its own certificate
 * (ECDSA P-256 key + signature) before its config is complete. Measured from connect to every proxy having
 * ACKed CDS, EDS, LDS, RDS and SDS: the time, the daemon's CPU, and DNS answers meanwhile (a query every 50 ms,
 * 1 s to answer: the event loop stays responsive or it does not). The baseline, in the same run, is the same
 * mesh without mTLS (no certificates, no SDS); the difference in CPU divided by N is the cost per certificate.
 * `npm run bench -- mtls [--services S --replicas R]`.
 */
import { TYPE_URLS } from '../../src/xds/resource.js';
import { startCp, stopAll } from '../helpers/cp-process.js';
import { percentile, startDnsProbe } from './dns-probe.js';
import type { Flags } from './flags.js';
import { cpuMs } from './proc.js';
import { report, type Figure } from './report.js';
import { Child, connect, proxyIds, type Connected } from './xds-bench.js';
import { createMesh } from './xds-mesh.js';

export interface MtlsBenchOptions {
  readonly services?: number;
  readonly replicas?: number;
}

interface ConnectRun {
  readonly connected: Connected;
  readonly cpuMs: number;
  readonly dnsLatenciesMs: readonly number[];
  readonly dnsUnanswered: number;
}

const progress = (msg: string): void => void process.stderr.write(`mtls bench: ${msg}\n`);

async function connectAll(services: number, replicas: number, mtls: boolean): Promise<ConnectRun> {
  // As the xDS bench: the memory store and no per-stream token check, so what differs is the certificates.
  const cp = await startCp({ startTimeoutMs: 60_000, env: { KUMA_STORE_TYPE: 'memory', KUMA_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' } });
  try {
    await createMesh(cp, services, replicas, mtls);
    const client = new Child('client');
    try {
      const names = Array.from({ length: services }, (_, s) => `svc-${s}.mesh`);
      const dns = startDnsProbe(cp.ports.dnsUdp ?? 0, names);
      const cpu0 = cpuMs(cp.pid);
      const connected = await connect(client, `127.0.0.1:${cp.ports.dpServer ?? 0}`, proxyIds(services, replicas), mtls);
      const cpu = cpuMs(cp.pid) - cpu0;
      const probe = await dns.stop();
      progress(`${mtls ? 'mTLS' : 'plain'}: ${connected.result.done} proxies ready in ${Math.round(connected.ms)} ms`);
      return { connected, cpuMs: cpu, dnsLatenciesMs: probe.latenciesMs, dnsUnanswered: probe.unanswered };
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
  const mtls = await connectAll(services, replicas, true);
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
  ];
  report('mtls', `mTLS signing bench: ${n} sidecars (${services} services x ${replicas}) connecting at once to a mesh with a builtin CA`, figures);
  return figures;
}

/** Options from `npm run bench -- mtls` flags. */
export function mtlsOptions(flags: Flags): MtlsBenchOptions {
  const services = flags.number('services');
  const replicas = flags.number('replicas');
  return { ...(services ? { services } : {}), ...(replicas ? { replicas } : {}) };
}
