import { SERVICE_TAG, type RetryConf, type Tags, type TimeoutConf } from '../../core/resources/specs.js';
import type { EdsClusterOptions, LbSettings } from '../envoy/clusters.js';
import type { DurationValue } from '../envoy/duration.js';
import type { EnvoyObject } from '../envoy/encode.js';
import type { WeightedTarget } from '../envoy/http.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { circuitBreakers, outlierDetection } from './circuit-breaker.js';
import { clusterHealthCheck, type ClusterHealthCheck } from './health-check.js';
import { connectTimeout, lbSettings, type OutboundProtocol } from './policy-conf.js';
import { snapshotLocal, type SnapshotKeyed } from './canonical.js';
import { matchRankedConnectionPolicy, sourceRanks, type SourceRanks } from './policy-match.js';
import type { MeshPolicies } from './mesh-policies.js';
import { commonProtocol, isHttp2 } from './protocol.js';

/** How one upstream service's cluster is configured for a given source. */
export interface ClusterPlan {
  readonly service: string;
  readonly lb: LbSettings;
  readonly connectTimeout: DurationValue;
  readonly http2: boolean;
  readonly healthCheck?: ClusterHealthCheck;
  readonly circuitBreakers?: EnvoyObject;
  readonly outlierDetection?: EnvoyObject;
}

/** A split destination: a service, optionally narrowed to endpoints with `subset` tags. */
export interface SplitTarget {
  readonly service: string;
  readonly weight: number;
  readonly subset?: Tags;
}

/** Everything the policies decide for connections from one source to one outbound service. */
export interface OutboundPlan {
  readonly service: string;
  /** The TrafficRoute that decided splits and load balancer. */
  readonly routeName: string;
  readonly protocol: OutboundProtocol;
  readonly splits: readonly SplitTarget[];
  readonly clusters: readonly ClusterPlan[];
  readonly timeout?: TimeoutConf;
  readonly retry?: RetryConf;
}

/**
 * Applies TrafficRoute, Timeout, Retry, HealthCheck and CircuitBreaker to the connection from the source
 * with `ranks` (a proxy's inbound/gateway tag sets as the mesh's policies match them: sidecar or proxyless
 * client) to `service`. No TrafficRoute -> undefined: Kuma generates no outbound for it. Memoised per
 * (ranks, service): 2,000 sidecars of 100 services under mesh-wide policies share one plan per service.
 */
export function planOutbound(snap: MeshSnapshot, ranks: MeshSourceRanks, service: string): OutboundPlan | undefined {
  return snap.derived<PlanParams, OutboundPlan | undefined>({ ranks, service }, computePlan);
}

interface PlanParams {
  readonly ranks: MeshSourceRanks;
  readonly service: string;
}

/** The policy lists matched by the proxy's own tags as a source (FaultInjection and RateLimit are matched by the destination's Envoy). */
type SourceMatched = Exclude<keyof MeshPolicies, 'faultInjections' | 'rateLimits'>;

/**
 * What the mesh's policies can tell about a source: for every policy matched by source, how it matches
 * (policy matching reads the source through nothing else). Sources with equal ranks get equal plans and
 * equal shared outbound sides. The type lists every source-matched policy list of MeshPolicies, so a new
 * policy type cannot be missed.
 */
export type MeshSourceRanks = { readonly [K in SourceMatched]: SourceRanks & SnapshotKeyed };

/**
 * The ranks of a source with the inbound/gateway tag sets `source`, once per distinct source per snapshot. Each
 * list stands for itself in derived() keys by a hash of its content (snapshotLocal): with 10,000 mesh-wide policies a source's
 * ranks have 10,000 entries per list, and serialising them into every plan key cost 400 ms per change for 20
 * sidecars. Content, not `source`: sources with equal ranks (every proxy, under mesh-wide policies) must keep
 * sharing their plans and outbound groups.
 */
export function meshSourceRanks(snap: MeshSnapshot, source: readonly Tags[]): MeshSourceRanks {
  return snap.derived({ source }, computeSourceRanks);
}

function computeSourceRanks(snap: MeshSnapshot, { source }: { readonly source: readonly Tags[] }): MeshSourceRanks {
  const p = snap.policies;
  return Object.freeze({
    trafficRoutes: snapshotLocal(sourceRanks(p.trafficRoutes, source)),
    trafficPermissions: snapshotLocal(sourceRanks(p.trafficPermissions, source)),
    timeouts: snapshotLocal(sourceRanks(p.timeouts, source)),
    retries: snapshotLocal(sourceRanks(p.retries, source)),
    healthChecks: snapshotLocal(sourceRanks(p.healthChecks, source)),
    circuitBreakers: snapshotLocal(sourceRanks(p.circuitBreakers, source)),
    trafficLogs: snapshotLocal(sourceRanks(p.trafficLogs, source)),
    // Policies that select whole proxies match them through `selectors`.
    trafficTraces: snapshotLocal(sourceRanks(p.trafficTraces, source)),
    proxyTemplates: snapshotLocal(sourceRanks(p.proxyTemplates, source)),
  });
}

function computePlan(snap: MeshSnapshot, { ranks, service }: PlanParams): OutboundPlan | undefined {
  const destination = { [SERVICE_TAG]: service };
  const route = matchRankedConnectionPolicy(snap.policies.trafficRoutes, ranks.trafficRoutes, destination);
  if (!route) return undefined;
  // Splits to an ExternalService that could not be resolved are dropped (it has no cluster).
  const splits = routeSplits(route.spec.conf, service).filter((s) => !snap.unusableExternalServices.has(s.service));
  if (splits.length === 0) return undefined;
  const lb = lbSettings(route.spec.conf?.loadBalancer);
  const targetServices = [...new Set(splits.map((s) => s.service))];
  const protocol = commonProtocol(targetServices.map((s) => snap.protocolOf(s)));
  const clusters = targetServices.map((target) => clusterPlan(snap, ranks, target, lb, protocol));
  const timeout = matchRankedConnectionPolicy(snap.policies.timeouts, ranks.timeouts, destination);
  const retry = matchRankedConnectionPolicy(snap.policies.retries, ranks.retries, destination);
  const timeoutConf = timeout?.spec.conf;
  const retryConf = retry?.spec.conf;
  return {
    service,
    routeName: route.meta.name,
    protocol,
    splits,
    clusters,
    ...(timeoutConf ? { timeout: timeoutConf } : {}),
    ...(retryConf ? { retry: retryConf } : {}),
  };
}

function clusterPlan(snap: MeshSnapshot, ranks: MeshSourceRanks, service: string, lb: LbSettings, protocol: OutboundProtocol): ClusterPlan {
  const destination = { [SERVICE_TAG]: service };
  const timeout = matchRankedConnectionPolicy(snap.policies.timeouts, ranks.timeouts, destination);
  const hc = clusterHealthCheck(matchRankedConnectionPolicy(snap.policies.healthChecks, ranks.healthChecks, destination)?.spec.conf, protocol);
  const cbConf = matchRankedConnectionPolicy(snap.policies.circuitBreakers, ranks.circuitBreakers, destination)?.spec.conf;
  const cb = circuitBreakers(cbConf);
  const outlier = outlierDetection(cbConf);
  return {
    service,
    lb,
    connectTimeout: connectTimeout(timeout?.spec.conf),
    http2: isHttp2(protocol),
    ...(hc ? { healthCheck: hc } : {}),
    ...(cb ? { circuitBreakers: cb } : {}),
    ...(outlier ? { outlierDetection: outlier } : {}),
  };
}

/** The HealthCheck and CircuitBreaker settings of a sidecar cluster (mesh or ExternalService). */
export function clusterPolicyOptions(c: ClusterPlan): Pick<EdsClusterOptions, 'healthChecks' | 'commonLbConfig' | 'circuitBreakers' | 'outlierDetection'> {
  return {
    ...(c.healthCheck ? { healthChecks: [c.healthCheck.check] } : {}),
    ...(c.healthCheck?.commonLbConfig ? { commonLbConfig: c.healthCheck.commonLbConfig } : {}),
    ...(c.circuitBreakers ? { circuitBreakers: c.circuitBreakers } : {}),
    ...(c.outlierDetection ? { outlierDetection: c.outlierDetection } : {}),
  };
}

/** conf.split (weight-0 entries dropped), or conf.destination; `kuma.io/service: *` means the outbound's own service. */
function routeSplits(conf: { split?: { weight: number; destination: Tags }[]; destination?: Tags } | undefined, service: string): SplitTarget[] {
  const entries = conf?.split ?? (conf?.destination ? [{ weight: 100, destination: conf.destination }] : [{ weight: 100, destination: { [SERVICE_TAG]: '*' } }]);
  const splits: SplitTarget[] = [];
  for (const { weight, destination } of entries) {
    if (!(weight > 0)) continue;
    const target = destination[SERVICE_TAG];
    const subset = Object.fromEntries(Object.entries(destination).filter(([k, v]) => k !== SERVICE_TAG && v !== '*'));
    splits.push({
      service: !target || target === '*' ? service : target,
      weight,
      ...(Object.keys(subset).length ? { subset } : {}),
    });
  }
  return splits;
}

/** Route targets for a sidecar: clusters are per service, subsets picked by metadata_match. */
export function sidecarTargets(plan: OutboundPlan): WeightedTarget[] {
  return plan.splits.map((s) => ({ cluster: s.service, weight: s.weight, ...(s.subset ? { subset: s.subset } : {}) }));
}

/** Per service, the subset key sets a sidecar cluster needs for the splits of `plans` (one pass over all plans). */
export function subsetKeys(plans: readonly OutboundPlan[]): Map<string, string[][]> {
  const byService = new Map<string, Map<string, string[]>>();
  for (const plan of plans) {
    for (const split of plan.splits) {
      if (!split.subset) continue;
      const keys = Object.keys(split.subset).sort();
      let sets = byService.get(split.service);
      if (!sets) byService.set(split.service, (sets = new Map<string, string[]>()));
      sets.set(keys.join('\n'), keys);
    }
  }
  return new Map([...byService].map(([service, sets]) => [service, [...sets.values()].sort((a, b) => a.join(',').localeCompare(b.join(',')))]));
}
