import { NotFoundError } from '../../core/errors.js';
import type { Tags } from '../../core/resources/specs.js';
import { contentVersion, type EnvoyObject } from '../envoy/encode.js';
import { edsCluster } from '../envoy/clusters.js';
import { httpConnectionManager, routeAction, routeConfiguration, type WeightedTarget } from '../envoy/http.js';
import { apiListener } from '../envoy/listeners.js';
import { names } from '../envoy/names.js';
import { spiffeId, xdsUpstreamTls } from '../envoy/xds-tls.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { loadAssignment } from './load-assignment.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { planOutbound, type ClusterPlan, type OutboundPlan } from './outbound-plan.js';
import { PROXYLESS_LB, proxylessCircuitBreakers, proxylessMaxStreamDuration, proxylessOutlierDetection, proxylessRetry } from './proxyless-policies.js';
import { serverListeners } from './proxyless-server.js';
import { ResourceSet } from './resource-set.js';
import { sourceTags } from './source-tags.js';

const VIP_PORT = 80;

/**
 * The catalog a proxyless gRPC client picks from (the ADS server serves only the names a client requested):
 * per service, api_listeners `<svc>`, `<svc>.mesh` and `<svc>.mesh:<port>` (each inbound port and 80)
 * -> RDS `outbound:<svc>` -> EDS clusters -> endpoints with locality and weight.
 *
 * Policies are matched with the client's own Dataplane as the source, exactly as for a sidecar (the same
 * outbound plans): TrafficRoute splits and load balancer, Retry (A44), Timeout (A31 max stream duration),
 * CircuitBreaker (A32 max requests, A50 outlier detection). Clients whose plans are equal get the very same
 * catalog (one per distinct policy set, not per client).
 *
 * Only what gRPC clients accept (xds-pitfalls §D): no subset load balancing (a split to tagged endpoints
 * gets its own cluster `<svc>{k=v}` holding only those endpoints), lb ROUND_ROBIN only (see PROXYLESS_LB),
 * no active health checks (gRPC clients do not run them). With mesh mTLS, clusters carry an A29
 * UpstreamTlsContext naming the bootstrap's certificate-provider instance and the server's SPIFFE id; a
 * client Dataplane with inbounds also gets its xDS-server listeners (proxyless-server.ts). ExternalServices are left out (their clusters are
 * STRICT_DNS, which gRPC clients NACK): splits to them are dropped.
 * Throws NotFoundError when the client's Dataplane is not in the snapshot.
 */
export function generateProxyless(snap: MeshSnapshot, dataplaneName: string): EncodedResource[] {
  const dp = snap.dataplanes.get(dataplaneName);
  if (!dp) throw new NotFoundError('Dataplane', dataplaneName, snap.mesh);
  const source = sourceTags(dp.spec);
  const client = snap.derived(`proxyless-plans\n${JSON.stringify(source)}`, () => clientPlans(snap, source));
  // A Dataplane with inbounds is also an xDS-enabled server: its listeners make the catalog its own.
  const server = dp.spec.networking.inbound?.length ? serverListeners(snap, dp) : [];
  const serverKey = server.map((r) => `${r.name}\n${r.version}`).join('\n');
  return snap.derived(`proxyless\n${client.key}\n${serverKey}`, () => {
    const set = new ResourceSet();
    for (const plan of client.plans) addService(snap, set, plan);
    for (const r of server) set.add(r);
    return set.toArray();
  });
}

interface ClientPlans {
  readonly plans: readonly OutboundPlan[];
  /** Digest of every plan's content key: equal keys, equal catalogs. */
  readonly key: string;
}

function clientPlans(snap: MeshSnapshot, source: readonly Tags[]): ClientPlans {
  const plans = snap.services.map((service) => planOutbound(snap, source, service)).filter((p): p is OutboundPlan => p !== undefined);
  const keys = plans.map((p) => `${p.key}\n${p.clusters.map((c) => c.key).join('\n')}`);
  return { plans, key: contentVersion(Buffer.from(keys.join('\n\n'))) };
}

function addService(snap: MeshSnapshot, set: ResourceSet, plan: OutboundPlan): void {
  const targets: WeightedTarget[] = [];
  for (const split of plan.splits) {
    // ExternalService clusters are STRICT_DNS (gRPC clients NACK them): splits to them are left out.
    if (snap.externalServices.has(split.service)) continue;
    const clusterPlan = plan.clusters.find((c) => c.service === split.service);
    if (!clusterPlan) continue;
    const cluster = split.subset ? subsetClusterName(split.service, split.subset) : split.service;
    const mtls = snap.meshSpec.mtls?.enabledBackend ? spiffeId(snap.mesh, split.service) : undefined;
    set.add(snap.resource(TYPE_URLS.cluster, cluster, `proxyless\n${clusterPlan.key}\n${mtls ?? ''}`, () => proxylessCluster(cluster, clusterPlan, mtls)));
    set.add(loadAssignment(snap, cluster, split.service, split.subset));
    targets.push({ cluster, weight: split.weight });
  }
  if (targets.length === 0) return;
  const routeName = names.outboundRoute(plan.service);
  set.add(
    snap.resource(TYPE_URLS.routeConfiguration, routeName, `proxyless\n${plan.key}\n${JSON.stringify(targets)}`, () => {
      const retry = proxylessRetry(plan.retry);
      const maxStreamDuration = proxylessMaxStreamDuration(plan.timeout);
      return routeConfiguration(
        routeName,
        plan.service,
        routeAction({ targets: mergeTargets(targets), ...(retry ? { retry } : {}), ...(maxStreamDuration ? { maxStreamDuration } : {}) }),
      );
    }),
  );
  const ports = new Set([...(snap.servicePorts.get(plan.service) ?? []), VIP_PORT]);
  const listenerNames = [plan.service, `${plan.service}.mesh`, ...[...ports].map((p) => `${plan.service}.mesh:${p}`)];
  for (const name of listenerNames) {
    set.add(
      snap.resource(TYPE_URLS.listener, name, `proxyless\n${routeName}`, () => apiListener(name, httpConnectionManager({ statPrefix: plan.service, rds: routeName }))),
    );
  }
}

/** `serverSan`: with mesh mTLS, the upstream's SPIFFE id (A29 UpstreamTlsContext from certificate providers). */
function proxylessCluster(name: string, plan: ClusterPlan, serverSan: string | undefined): EnvoyObject {
  const circuitBreakers = proxylessCircuitBreakers(plan.circuitBreakers);
  const outlierDetection = proxylessOutlierDetection(plan.outlierDetection);
  return {
    ...edsCluster({
      name,
      connectTimeout: plan.connectTimeout,
      lb: PROXYLESS_LB,
      ...(circuitBreakers ? { circuitBreakers } : {}),
      ...(outlierDetection ? { outlierDetection } : {}),
    }),
    ...(serverSan ? { transport_socket: xdsUpstreamTls(serverSan) } : {}),
  };
}

/** `backend{version=v1}`: the cluster of one tag subset of a service (tags sorted by key). */
export function subsetClusterName(service: string, subset: Tags): string {
  const tags = Object.keys(subset)
    .sort()
    .map((k) => `${k}=${subset[k]}`);
  return `${service}{${tags.join(',')}}`;
}

/** Two splits to the same cluster become one weighted entry (duplicate names in weighted_clusters are refused). */
function mergeTargets(targets: readonly WeightedTarget[]): WeightedTarget[] {
  const merged = new Map<string, number>();
  for (const t of targets) merged.set(t.cluster, (merged.get(t.cluster) ?? 0) + t.weight);
  return [...merged].map(([cluster, weight]) => ({ cluster, weight }));
}
