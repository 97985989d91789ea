import type { Tags } from '../../core/resources/specs.js';
import { edsCluster, type LbSettings } from '../envoy/clusters.js';
import type { DurationValue } from '../envoy/duration.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { httpConnectionManager, routeAction, routeConfiguration, type WeightedTarget } from '../envoy/http.js';
import { apiListener } from '../envoy/listeners.js';
import { names } from '../envoy/names.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { loadAssignment } from './load-assignment.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { planOutbound, type OutboundPlan } from './outbound-plan.js';
import { ResourceSet } from './resource-set.js';

const VIP_PORT = 80;

/**
 * The catalog every proxyless gRPC client of the mesh picks from (the ADS server serves only the names a
 * client requested): per service, api_listeners `<svc>`, `<svc>.mesh` and `<svc>.mesh:<port>` (each inbound
 * port and 80) -> RDS `outbound:<svc>` -> EDS clusters -> endpoints with locality and weight.
 *
 * Only what gRPC clients accept (xds-pitfalls §D): no subset load balancing (a split to tagged endpoints
 * gets its own cluster `<svc>{k=v}` holding only those endpoints), lb ROUND_ROBIN or RING_HASH (XX_HASH),
 * no TLS, no health checks; Retry and Timeout are not applied to proxyless clients yet. ExternalServices
 * are left out (their clusters are STRICT_DNS, which gRPC clients NACK): splits to them are dropped. Policies whose
 * sources are all `*` apply, since the catalog is shared by every client.
 */
export function generateProxyless(snap: MeshSnapshot): EncodedResource[] {
  return snap.derived('proxyless', () => {
    const set = new ResourceSet();
    for (const service of snap.services) {
      const plan = planOutbound(snap, undefined, service);
      if (plan) addService(snap, set, plan);
    }
    return set.toArray();
  });
}

function addService(snap: MeshSnapshot, set: ResourceSet, plan: OutboundPlan): void {
  const targets: WeightedTarget[] = [];
  for (const split of plan.splits) {
    // ExternalService clusters are STRICT_DNS (gRPC clients NACK them): splits to them are left out.
    if (snap.externalServices.has(split.service)) continue;
    const cluster = split.subset ? subsetClusterName(split.service, split.subset) : split.service;
    const lb = proxylessLb(plan.clusters.find((c) => c.service === split.service)?.lb);
    const connectTimeout = plan.clusters.find((c) => c.service === split.service)?.connectTimeout ?? { seconds: 5 };
    set.add(snap.resource(TYPE_URLS.cluster, cluster, { lb, connectTimeout }, buildCluster));
    set.add(loadAssignment(snap, cluster, split.service, split.subset));
    targets.push({ cluster, weight: split.weight });
  }
  if (targets.length === 0) return;
  const routeName = names.outboundRoute(plan.service);
  set.add(snap.resource(TYPE_URLS.routeConfiguration, routeName, { service: plan.service, targets }, buildRoute));
  const ports = new Set([...(snap.servicePorts.get(plan.service) ?? []), VIP_PORT]);
  const listenerNames = [plan.service, `${plan.service}.mesh`, ...[...ports].map((p) => `${plan.service}.mesh:${p}`)];
  for (const name of listenerNames) set.add(snap.resource(TYPE_URLS.listener, name, { service: plan.service, route: routeName }, buildApiListener));
}

function buildCluster(p: { readonly lb: LbSettings; readonly connectTimeout: DurationValue }, name: string): EnvoyObject {
  return edsCluster({ name, connectTimeout: p.connectTimeout, lb: p.lb });
}

function buildRoute(p: { readonly service: string; readonly targets: readonly WeightedTarget[] }, name: string): EnvoyObject {
  return routeConfiguration(name, p.service, routeAction({ targets: mergeTargets(p.targets) }));
}

function buildApiListener(p: { readonly service: string; readonly route: string }, name: string): EnvoyObject {
  return apiListener(name, httpConnectionManager({ statPrefix: p.service, rds: p.route }));
}

/** `backend{version=v1}`: the cluster of one tag subset of a service (tags sorted by key). */
export function subsetClusterName(service: string, subset: Tags): string {
  const tags = Object.keys(subset)
    .sort()
    .map((k) => `${k}=${subset[k]}`);
  return `${service}{${tags.join(',')}}`;
}

function proxylessLb(lb: LbSettings | undefined): LbSettings {
  if (lb?.policy === 'RING_HASH' && (lb.hashFunction ?? 'XX_HASH') === 'XX_HASH') return lb;
  return { policy: 'ROUND_ROBIN' };
}

/** Two splits to the same cluster become one weighted entry (duplicate names in weighted_clusters are refused). */
function mergeTargets(targets: readonly WeightedTarget[]): WeightedTarget[] {
  const merged = new Map<string, number>();
  for (const t of targets) merged.set(t.cluster, (merged.get(t.cluster) ?? 0) + t.weight);
  return [...merged].map(([cluster, weight]) => ({ cluster, weight }));
}
