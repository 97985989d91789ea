import { isIP } from 'node:net';
import type { Resource } from '../../core/resources/model.js';
import type { MeshSpec, SelectorPolicySpec, Tags } from '../../core/resources/specs.js';
import { dnsCluster } from '../envoy/clusters.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { upstreamTlsTransportSocket } from '../envoy/tls.js';
import { hcmTracing, tracingClusterName, type TracingOptions, type ZipkinEndpointVersion } from '../envoy/tracing.js';
import { TYPE_URLS } from '../resource.js';
import { compareRanks, sourceRanks, type Rank, type SourceRanks } from './policy-match.js';
import type { ResourceMemo } from './resource-memo.js';
import type { ResourceSet } from './resource-set.js';

export interface TrafficTraceConf {
  readonly backend?: string;
}
export type TrafficTracePolicy = Resource<SelectorPolicySpec<TrafficTraceConf>>;
export type TracingBackend = NonNullable<NonNullable<MeshSpec['tracing']>['backends']>[number];

/** Kuma's tracing cluster: STRICT_DNS (STATIC for an IP) to the collector, 10 s connect timeout, TLS for an https Zipkin URL (Kuma 1.4). */
interface TracingClusterParams {
  readonly host: string;
  readonly port: number;
  readonly tls: { readonly sni: string | null } | null;
}

/** A backend the proxy reports to, as the generators need it. */
interface ResolvedTracing {
  readonly backend: string;
  readonly sampling?: number;
  readonly cluster: TracingClusterParams;
  readonly zipkin?: { readonly endpoint: string; readonly hostname: string; readonly traceId128bit: boolean; readonly version: ZipkinEndpointVersion; readonly sharedSpanContext?: boolean };
}

/**
 * The TrafficTrace that selects a proxy with tag sets `source` (Kuma's SelectDataplanePolicy: the best
 * selector rank, then the policy created later, then the first name).
 */
export function selectTrafficTrace(policies: readonly TrafficTracePolicy[], source: readonly Tags[]): TrafficTracePolicy | undefined {
  return selectRankedTrafficTrace(policies, sourceRanks(policies, source));
}

/** selectTrafficTrace for a source given by its ranks (`ranks[i]`: how `policies[i]`'s selectors match it). */
export function selectRankedTrafficTrace(policies: readonly TrafficTracePolicy[], ranks: SourceRanks): TrafficTracePolicy | undefined {
  let best: { policy: TrafficTracePolicy; rank: Rank } | undefined;
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i];
    const rank = ranks[i];
    if (!policy || !rank) continue;
    if (!best || isBetter(policy, rank, best.policy, best.rank)) best = { policy, rank };
  }
  return best?.policy;
}

function isBetter(candidate: TrafficTracePolicy, rank: Rank, current: TrafficTracePolicy, currentRank: Rank): boolean {
  const byRank = compareRanks(rank, currentRank);
  if (byRank !== 0) return byRank > 0;
  const byTime = Date.parse(candidate.meta.creationTime) - Date.parse(current.meta.creationTime);
  if (byTime !== 0) return byTime > 0;
  return candidate.meta.name < current.meta.name;
}

/** `conf.backend`, else the mesh's `tracing.defaultBackend` (Kuma's GetTracingBackend); undefined when missing. */
export function tracingBackend(mesh: MeshSpec, policy: TrafficTracePolicy): TracingBackend | undefined {
  const name = policy.spec.conf?.backend || mesh.tracing?.defaultBackend;
  return name ? mesh.tracing?.backends?.find((b) => b.name === name) : undefined;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

const bare = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

/** The backend's collector as a cluster and provider settings; undefined if its conf cannot be used (reported by the warnings). */
export function resolveTracing(backend: TracingBackend): ResolvedTracing | undefined {
  const conf = backend.conf ?? {};
  const base = { backend: backend.name, ...(backend.sampling !== undefined ? { sampling: backend.sampling } : {}) };
  if (backend.type === 'zipkin') {
    let url: URL;
    try {
      url = new URL(String(conf['url']));
    } catch {
      return undefined;
    }
    // WHATWG URL leaves out the scheme's default port (`https://h:443`); the Mesh validator requires it written.
    const port = Number(url.port) || DEFAULT_PORTS[url.protocol];
    if (!port) return undefined;
    const host = bare(url.hostname);
    const shared = conf['sharedSpanContext'];
    return {
      ...base,
      cluster: { host, port, tls: url.protocol === 'https:' ? { sni: isIP(host) ? null : host } : null },
      zipkin: {
        endpoint: url.pathname,
        hostname: url.host,
        traceId128bit: conf['traceId128bit'] === true,
        version: conf['apiVersion'] === 'httpProto' ? 'HTTP_PROTO' : 'HTTP_JSON',
        ...(typeof shared === 'boolean' ? { sharedSpanContext: shared } : {}),
      },
    };
  }
  if (backend.type === 'datadog') {
    const address = conf['address'];
    const port = conf['port'];
    if (typeof address !== 'string' || !address || typeof port !== 'number' || !(port >= 1 && port <= 65535)) return undefined;
    return { ...base, cluster: { host: bare(address), port, tls: null } };
  }
  return undefined;
}

/** What tracing generation reads of a mesh snapshot. */
export interface TracedMesh {
  readonly meshSpec: MeshSpec;
  readonly policies: { readonly trafficTraces: readonly TrafficTracePolicy[] };
}

/** The tracing a proxy with tag sets `source` gets, or undefined (no TrafficTrace, or its backend is missing or unusable). */
export function proxyTracing(snap: TracedMesh, source: readonly Tags[]): ResolvedTracing | undefined {
  return rankedProxyTracing(snap, sourceRanks(snap.policies.trafficTraces, source));
}

/** proxyTracing for a source given by its ranks against the mesh's TrafficTraces. */
export function rankedProxyTracing(snap: TracedMesh, ranks: SourceRanks): ResolvedTracing | undefined {
  const policy = selectRankedTrafficTrace(snap.policies.trafficTraces, ranks);
  const backend = policy && tracingBackend(snap.meshSpec, policy);
  return backend && resolveTracing(backend);
}

/** HCM tracing settings for a listener of `service` (Datadog reports spans under the service name). */
export function tracingOptions(t: ResolvedTracing | undefined, service: string): TracingOptions | null {
  if (!t) return null;
  const cluster = tracingClusterName(t.backend);
  const provider = t.zipkin ? { type: 'zipkin' as const, cluster, ...t.zipkin } : { type: 'datadog' as const, cluster, serviceName: service };
  return { provider, ...(t.sampling !== undefined ? { sampling: t.sampling } : {}) };
}

/** The service a proxy's tracing settings read, if its backend reads one (Datadog): part of the sharing key. */
export function tracingService(t: ResolvedTracing | undefined, service: string): string | null {
  return t && !t.zipkin ? service : null;
}

export function hcmTracingOf(o: TracingOptions | null): EnvoyObject | undefined {
  return o ? hcmTracing(o) : undefined;
}

/** Adds the `tracing:<backend>` cluster the proxy's HCMs report to. */
export function addTracingCluster(snap: ResourceMemo, set: ResourceSet, t: ResolvedTracing | undefined): void {
  if (t) set.add(snap.resource(TYPE_URLS.cluster, tracingClusterName(t.backend), t.cluster, buildTracingCluster));
}

const TRACING_CONNECT_TIMEOUT = { seconds: 10 } as const;

function buildTracingCluster(p: TracingClusterParams, name: string): EnvoyObject {
  return dnsCluster({
    name,
    connectTimeout: TRACING_CONNECT_TIMEOUT,
    lb: { policy: 'ROUND_ROBIN' },
    endpoints: [{ address: p.host, port: p.port, tags: {} }],
    ...(p.tls ? { transportSocket: upstreamTlsTransportSocket({ ...(p.tls.sni ? { sni: p.tls.sni } : {}), allowRenegotiation: true }) } : {}),
  });
}
