import { NotFoundError } from '../../core/errors.js';
import type { DataplaneSpec, RetryConf, Tags, TimeoutConf } from '../../core/resources/specs.js';
import { edsCluster } from '../envoy/clusters.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { httpConnectionManager, routeAction, routeConfiguration, type WeightedTarget } from '../envoy/http.js';
import { apiListener } from '../envoy/listeners.js';
import { names } from '../envoy/names.js';
import { xdsUpstreamTls } from '../envoy/xds-tls.js';
import { spiffeId } from '../../mtls/workload-identity.js';
import { ResourceGroup } from '../cache/resource-group.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { loadAssignment } from './load-assignment.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { meshSourceRanks, planOutbound, type ClusterPlan, type MeshSourceRanks, type OutboundPlan } from './outbound-plan.js';
import { proxylessCircuitBreakers, proxylessMaxStreamDuration, proxylessOutlierDetection, proxylessRetry } from './proxyless-policies.js';
import { serverListeners } from './proxyless-server.js';
import { proxylessCapabilities, type ProxylessClient } from './proxyless-client.js';
import { kumaLbName, proxylessLb, type ProxylessLbChoice } from './proxyless-lb.js';
import type { LbSettings } from '../envoy/clusters.js';
import { ResourceSet } from './resource-set.js';
import { proxyTagSets } from './policy-match.js';

const VIP_PORT = 80;

/** A proxyless data plane's resources: its server listeners (own) and the client catalog of its policy set (shared). */
export interface ProxylessParts {
  readonly own: readonly EncodedResource[];
  readonly shared: ResourceGroup;
  /** Where the client gets another load balancer than its TrafficRoute asks for (one per outbound service). */
  readonly lbNotes: readonly ProxylessLbNote[];
}

/** A TrafficRoute load balancer a proxyless client does not get as asked (see proxylessLb). */
export interface ProxylessLbNote {
  readonly service: string;
  readonly trafficRoute: string;
  /** Kuma's name of what the policy asks for (`ringHash`) and of what the client gets (`roundRobin`). */
  readonly requested: string;
  readonly applied: string;
  readonly reason: string;
}

interface Catalog {
  readonly group: ResourceGroup;
  readonly lbNotes: readonly ProxylessLbNote[];
}

/** A load balancer some TrafficRoute of the client's policy set asks for, and what this kind of client gets for it. */
interface LbChoiceFor {
  readonly requested: LbSettings;
  readonly choice: ProxylessLbChoice;
}

/** What a client catalog is built from: clients with equal parameters share one catalog. */
interface CatalogParams {
  readonly ranks: MeshSourceRanks;
  /** The client's kind enters only through what it gets for the load balancers its policy set uses. */
  readonly lbs: readonly LbChoiceFor[];
}

/**
 * The catalog a proxyless gRPC client picks from (the ADS server serves only the names a client requested):
 * per service, api_listeners `<svc>`, `<svc>.mesh` and `<svc>.mesh:<port>` (each inbound port and 80)
 * -> RDS `outbound:<svc>` -> EDS clusters -> endpoints with locality and weight.
 *
 * Policies are matched with the client's own Dataplane as the source, exactly as for a sidecar (the same
 * outbound plans): TrafficRoute splits, Retry (A44), Timeout (A31 max stream duration), CircuitBreaker
 * (A32 max requests, A50 outlier detection). Clients whose sources match the mesh's policies alike
 * (`sourceKey`) share one catalog (one per distinct policy set, not per client); clients of different kinds
 * share it too unless the load balancers of that policy set map differently for them.
 *
 * Only what gRPC clients accept (xds-pitfalls §D): no subset load balancing (a split to tagged endpoints
 * gets its own cluster `<svc>{k=v}` holding only those endpoints), the TrafficRoute's load balancer as far as
 * the client implements it (`client`: its user agent; proxyless-lb.ts, round robin otherwise, with a note),
 * no active health checks (gRPC clients do not run them). With mesh mTLS, clusters carry an A29
 * UpstreamTlsContext naming the bootstrap's certificate-provider instance and the server's SPIFFE id; a
 * client Dataplane with inbounds also gets its xDS-server listeners (proxyless-server.ts). ExternalServices
 * are left out (their clusters are STRICT_DNS, which gRPC clients NACK): splits to them are dropped.
 * Throws NotFoundError when the client's Dataplane is not in the snapshot.
 */
export function generateProxyless(snap: MeshSnapshot, dataplaneName: string, client?: ProxylessClient): EncodedResource[] {
  const { own, shared } = generateProxylessParts(snap, dataplaneName, client);
  const set = new ResourceSet();
  for (const r of own) set.add(r);
  for (const t of shared.types()) for (const r of shared.list(t)) set.add(r);
  return set.toArray();
}

export function generateProxylessParts(snap: MeshSnapshot, dataplaneName: string, client?: ProxylessClient): ProxylessParts {
  const dp = snap.dataplanes.get(dataplaneName);
  if (!dp) throw new NotFoundError('Dataplane', dataplaneName, snap.mesh);
  const catalog = proxylessCatalog(snap, dp.spec, client);
  // A Dataplane with inbounds is also an xDS-enabled server: its listeners are its own.
  const own = dp.spec.networking.inbound?.length ? serverListeners(snap, dp) : [];
  return { own, shared: catalog.group, lbNotes: catalog.lbNotes };
}

/** Where a proxyless client gets another load balancer than its TrafficRoutes ask for (memoised with its catalog). */
export function proxylessLbNotes(snap: MeshSnapshot, dataplaneName: string, client?: ProxylessClient): readonly ProxylessLbNote[] {
  const dp = snap.dataplanes.get(dataplaneName);
  if (!dp) throw new NotFoundError('Dataplane', dataplaneName, snap.mesh);
  return proxylessCatalog(snap, dp.spec, client).lbNotes;
}

function proxylessCatalog(snap: MeshSnapshot, dp: DataplaneSpec, client: ProxylessClient | undefined): Catalog {
  const ranks = meshSourceRanks(snap, proxyTagSets(dp));
  const caps = proxylessCapabilities(client);
  const lbs = snap.derived({ ranks }, usedLoadBalancers).map((requested): LbChoiceFor => ({ requested, choice: proxylessLb(requested, caps) }));
  return snap.derived<CatalogParams, Catalog>({ ranks, lbs }, clientCatalog);
}

/** The load balancers the TrafficRoutes of a source with `ranks` ask for, each once (round robin included). */
function usedLoadBalancers(snap: MeshSnapshot, { ranks }: { readonly ranks: MeshSourceRanks }): readonly LbSettings[] {
  const used = new Map<string, LbSettings>();
  for (const service of snap.services) {
    for (const c of planOutbound(snap, ranks, service)?.clusters ?? []) used.set(JSON.stringify(c.lb), c.lb);
  }
  return [...used].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, lb]) => lb);
}

function clientCatalog(snap: MeshSnapshot, { ranks, lbs }: CatalogParams): Catalog {
  const set = new ResourceSet();
  const lbNotes: ProxylessLbNote[] = [];
  for (const service of snap.services) {
    const plan = planOutbound(snap, ranks, service);
    if (plan) addService(snap, set, plan, lbs, lbNotes);
  }
  return { group: new ResourceGroup(set.toArray()), lbNotes };
}

/** What the client gets for `requested` (one of the load balancers its catalog parameters list). */
function choiceFor(lbs: readonly LbChoiceFor[], requested: LbSettings): ProxylessLbChoice {
  const text = JSON.stringify(requested);
  const found = lbs.find((l) => JSON.stringify(l.requested) === text);
  if (!found) throw new Error(`proxyless catalog: load balancer ${text} missing from its parameters`);
  return found.choice;
}

interface ProxylessClusterParams {
  readonly cluster: ClusterPlan;
  /** The cluster's load balancer as this kind of client gets it. */
  readonly lb: LbSettings;
  /** With mesh mTLS, the upstream's SPIFFE id (A29 UpstreamTlsContext from certificate providers). */
  readonly serverSan: string | null;
}

interface ProxylessRouteParams {
  readonly service: string;
  readonly targets: readonly WeightedTarget[];
  readonly retry: RetryConf | null;
  readonly timeout: TimeoutConf | null;
}

interface ApiListenerParams {
  readonly service: string;
  readonly route: string;
}

function addService(snap: MeshSnapshot, set: ResourceSet, plan: OutboundPlan, lbs: readonly LbChoiceFor[], lbNotes: ProxylessLbNote[]): void {
  const targets: WeightedTarget[] = [];
  const mtls = Boolean(snap.meshSpec.mtls?.enabledBackend);
  let noted = false;
  for (const split of plan.splits) {
    // ExternalService clusters are STRICT_DNS (gRPC clients NACK them): splits to them are left out.
    if (snap.externalServices.has(split.service)) continue;
    const clusterPlan = plan.clusters.find((c) => c.service === split.service);
    if (!clusterPlan) continue;
    const cluster = split.subset ? subsetClusterName(split.service, split.subset) : split.service;
    const choice = choiceFor(lbs, clusterPlan.lb);
    if (choice.reason && !noted) {
      noted = true;
      lbNotes.push({ service: plan.service, trafficRoute: plan.routeName, requested: kumaLbName(clusterPlan.lb), applied: kumaLbName(choice.lb), reason: choice.reason });
    }
    const params: ProxylessClusterParams = { cluster: clusterPlan, lb: choice.lb, serverSan: mtls ? spiffeId(snap.mesh, split.service) : null };
    set.add(snap.resource(TYPE_URLS.cluster, cluster, params, buildCluster));
    set.add(loadAssignment(snap, cluster, split.service, split.subset));
    targets.push({ cluster, weight: split.weight });
  }
  if (targets.length === 0) return;
  const routeName = names.outboundRoute(plan.service);
  const route: ProxylessRouteParams = { service: plan.service, targets, retry: plan.retry ?? null, timeout: plan.timeout ?? null };
  set.add(snap.resource(TYPE_URLS.routeConfiguration, routeName, route, buildRoute));
  const ports = new Set([...(snap.servicePorts.get(plan.service) ?? []), VIP_PORT]);
  const listenerNames = [plan.service, `${plan.service}.mesh`, ...[...ports].map((p) => `${plan.service}.mesh:${p}`)];
  for (const name of listenerNames) set.add(snap.resource(TYPE_URLS.listener, name, { service: plan.service, route: routeName }, buildApiListener));
}

function buildCluster({ cluster, lb, serverSan }: ProxylessClusterParams, name: string): EnvoyObject {
  const circuitBreakers = proxylessCircuitBreakers(cluster.circuitBreakers);
  const outlierDetection = proxylessOutlierDetection(cluster.outlierDetection);
  return {
    ...edsCluster({
      name,
      connectTimeout: cluster.connectTimeout,
      lb,
      ...(circuitBreakers ? { circuitBreakers } : {}),
      ...(outlierDetection ? { outlierDetection } : {}),
    }),
    ...(serverSan ? { transport_socket: xdsUpstreamTls(serverSan) } : {}),
  };
}

function buildRoute(p: ProxylessRouteParams, name: string): EnvoyObject {
  const retry = proxylessRetry(p.retry ?? undefined);
  const maxStreamDuration = proxylessMaxStreamDuration(p.timeout ?? undefined);
  return routeConfiguration(name, p.service, routeAction({ targets: mergeTargets(p.targets), ...(retry ? { retry } : {}), ...(maxStreamDuration ? { maxStreamDuration } : {}) }));
}

function buildApiListener(p: ApiListenerParams, name: string): EnvoyObject {
  return apiListener(name, httpConnectionManager({ statPrefix: p.service, rds: p.route }));
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
