import { NotFoundError } from '../../core/errors.js';
import type { Resource } from '../../core/resources/model.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataplaneInbound, type DataplaneSpec, type RetryConf, type Tags, type TimeoutConf } from '../../core/resources/specs.js';
import { dnsCluster, edsCluster, originalDstCluster, staticCluster, type EdsClusterOptions } from '../envoy/clusters.js';
import { inboundMtlsTransportSocket, meshSni, outboundMtlsTransportSocket } from '../envoy/mesh-tls.js';
import { networkRbacFilter, type RbacPolicy } from '../envoy/rbac.js';
import type { IssuedIdentity } from '../../mtls/workload-identity.js';
import { identitySecretResource, inboundRbacPolicies, meshCa, meshCaSecretResource } from './mesh-mtls.js';
import { proxyTagSets } from './policy-match.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { hcmFilter, routeAction, routeConfiguration, type WeightedTarget } from '../envoy/http.js';
import { listener } from '../envoy/listeners.js';
import { names, statPrefix } from '../envoy/names.js';
import { tcpProxyFilter } from '../envoy/tcp.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { externalClusterEndpoints } from './external-cluster.js';
import type { ExternalServiceGroup } from './external-services.js';
import { loadAssignment } from './load-assignment.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { clusterPolicyOptions, meshSourceRanks, planOutbound, sidecarTargets, subsetKeys, type ClusterPlan, type MeshSourceRanks, type OutboundPlan } from './outbound-plan.js';
import { DEFAULT_CONNECT_TIMEOUT, duration, retrySettings, type OutboundProtocol } from './policy-conf.js';
import { isHttp, isHttp2, toProtocol } from './protocol.js';
import { ResourceGroup } from '../cache/resource-group.js';
import { ResourceSet } from './resource-set.js';
import { probeResources } from './probes.js';
import { addPrometheusEndpoint } from './prometheus-endpoint.js';
import { inboundTracing, observabilityParams, outboundObservability, type ObservabilityParams, type OutboundObservability } from './sidecar-observability.js';
import { accessLogs, type AccessLogParams } from './traffic-log.js';
import { addTracingCluster, hcmTracingOf, rankedProxyTracing } from './traffic-trace.js';
import type { TracingOptions } from '../envoy/tracing.js';
import { applyProxyTemplate } from './proxy-template/apply-template.js';
import { withoutShadowed } from './shadowing.js';
import { serializeTags, TAGS_HEADER } from '../envoy/kuma-tags.js';
import { inboundHttpFilters, inboundHttpPolicies, inboundRateLimitRoutes, tagsHeaderServices, type InboundHttpPolicies } from './inbound-http-policies.js';

const DEFAULT_REDIRECT_OUTBOUND = 15001;
const DEFAULT_REDIRECT_INBOUND = 15006;
const INBOUND_PASSTHROUGH_SOURCE = '127.0.0.6';
const VIP_PORT = 80;

interface OutboundAddress {
  readonly address: string;
  readonly port: number;
  readonly service: string;
}

/** What a sidecar's shared part is built from: the same for every proxy with the same parameters. */
interface SharedParams {
  /** How the mesh's policies match the proxy's source tags: plans and this part depend on the tags only through it. */
  readonly ranks: MeshSourceRanks;
  /** Declared outbounds. */
  readonly outbound: DataplaneSpec['networking']['outbound'];
  readonly transparentProxying: DataplaneSpec['networking']['transparentProxying'] | null;
  /** TrafficLog placeholders and Datadog service of the proxy (null when none apply). */
  readonly observability: ObservabilityParams;
}

/**
 * A sidecar's resources: its own (inbound listeners and local clusters), a group shared with every proxy of
 * the same parameters, and the outbound routes that carry the proxy's tags (`x-kuma-tags`), shared with the
 * proxies that also have the same tags.
 */
export interface SidecarParts {
  readonly own: EncodedResource[];
  readonly shared: ResourceGroup;
  readonly tagged: ResourceGroup;
}

interface SharedPart {
  readonly group: ResourceGroup;
  /**
   * HTTP outbounds to services some FaultInjection or RateLimit selects: their routes carry the proxy's tags
   * (the destination matches the policies' sources against them), so they are built per tag set (taggedRoutes),
   * not here. Only these: a per-proxy header on every route would make every route per proxy.
   */
  readonly tagged: readonly OutboundPlan[];
}

/**
 * The full resource set of one Envoy (sidecar or gateway) of the mesh: inbound listeners and their local
 * clusters, one outbound listener per declared outbound (and per VIP for transparent proxies) with its
 * route, the EDS cluster and endpoints of every service they reach (an ExternalService's cluster is
 * STRICT_DNS with its endpoint inline and optional TLS), and the passthrough listeners.
 * With mTLS on, `identity` is the proxy's workload certificate: the SDS secrets are added, inbounds require
 * mesh client certificates and enforce TrafficPermission (RBAC), mesh clusters originate mTLS.
 * With a prometheus metrics backend on the mesh and the proxy's `adminPort` known, the metrics listener too.
 * Throws NotFoundError when the Dataplane is not in the snapshot. A Kuma 1.1 ingress Dataplane gets
 * nothing here (zone ingresses are generated by generateIngress).
 */
export function generateSidecar(snap: MeshSnapshot, dataplaneName: string, identity?: IssuedIdentity, adminPort?: number): EncodedResource[] {
  const { own, shared, tagged } = generateSidecarParts(snap, dataplaneName, identity, adminPort);
  const set = new ResourceSet();
  for (const r of own) set.add(r);
  for (const group of [shared, tagged]) for (const t of group.types()) for (const r of group.list(t)) set.add(r);
  return set.toArray();
}

/**
 * The same resources split for sharing: everything but the inbound side depends only on the proxy's
 * SharedParams, so it is generated once per distinct parameters per mesh snapshot (in a mesh of 2,000
 * sidecars of 100 services, 100 times, not 2,000) and held by all those proxies as one ResourceGroup.
 */
export function generateSidecarParts(snap: MeshSnapshot, dataplaneName: string, identity?: IssuedIdentity, adminPort?: number): SidecarParts {
  const dp = snap.dataplanes.get(dataplaneName);
  if (!dp) throw new NotFoundError('Dataplane', dataplaneName, snap.mesh);
  if (dp.spec.networking.ingress) return { own: [], shared: ResourceGroup.EMPTY, tagged: ResourceGroup.EMPTY };
  const net = dp.spec.networking;
  const source = proxyTagSets(dp.spec);
  const params: SharedParams = {
    ranks: meshSourceRanks(snap, source),
    outbound: net.outbound,
    transparentProxying: net.transparentProxying ?? null,
    observability: observabilityParams(snap, dp.spec, source),
  };
  const { group: shared, tagged: plans } = snap.derived(params, sharedGroup);
  const tagged = plans.length ? snap.derived<TaggedParams, ResourceGroup>({ plans, tagsHeader: serializeTags(source) }, taggedRoutes) : ResourceGroup.EMPTY;
  const set = new ResourceSet();
  if (meshCa(snap)) {
    if (!identity) throw new Error(`mTLS is on but no workload certificate has been issued for ${snap.mesh}.${dataplaneName} yet`);
    set.add(identitySecretResource(snap, identity));
  }
  const transparent = net.transparentProxying !== undefined;
  for (const inbound of net.inbound ?? []) addInbound(snap, set, dp, inbound, transparent);
  for (const r of probeResources(snap, dp.spec)) set.add(r);
  addPrometheusEndpoint(snap, set, dp, adminPort);
  // Own resources first win over shared ones of the same (type, name), as in one ResourceSet.
  const own = set.toArray();
  return applyProxyTemplate(snap, dp, { own, shared: withoutShadowed(shared, own), tagged });
}

function sharedGroup(snap: MeshSnapshot, params: SharedParams): SharedPart {
  const set = new ResourceSet();
  if (meshCa(snap)) set.add(meshCaSecretResource(snap));
  const transparent = params.transparentProxying !== null;
  const tagged = addOutbounds(snap, set, params, transparent);
  addTracingCluster(snap, set, rankedProxyTracing(snap, params.ranks.trafficTraces));
  if (params.transparentProxying) addPassthrough(snap, set, params.transparentProxying);
  return { group: new ResourceGroup(set.toArray()), tagged };
}

interface TaggedParams {
  readonly plans: readonly OutboundPlan[];
  /** The proxy's tags as `x-kuma-tags` carries them. */
  readonly tagsHeader: string;
}

/** The routes of `plans` with `x-kuma-tags: <tagsHeader>`. */
function taggedRoutes(snap: MeshSnapshot, { plans, tagsHeader }: TaggedParams): ResourceGroup {
  const set = new ResourceSet();
  for (const plan of plans) set.add(outboundRoute(snap, plan, tagsHeader));
  return new ResourceGroup(set.toArray());
}

interface LocalClusterParams {
  readonly address: string;
  readonly port: number;
  readonly http2: boolean;
}

interface InboundListenerParams {
  readonly address: string;
  readonly port: number;
  readonly service: string;
  readonly protocol: OutboundProtocol;
  readonly cluster: string;
  readonly transparent: boolean;
  /** mTLS on: the mesh whose client certificates are required. */
  readonly mtlsMesh: string | null;
  /** mTLS on: TrafficPermission as RBAC policies (none = deny all). */
  readonly rbac: readonly RbacPolicy[] | null;
  /** TrafficTrace (HTTP only). */
  readonly tracing: TracingOptions | null;
  /** FaultInjection and RateLimit on this (HTTP) inbound. */
  readonly httpPolicies: InboundHttpPolicies | null;
}

function addInbound(snap: MeshSnapshot, set: ResourceSet, dp: Resource<DataplaneSpec>, inbound: DataplaneInbound, transparent: boolean): void {
  const net = dp.spec.networking;
  const address = inbound.address ?? net.address;
  const servicePort = inbound.servicePort ?? inbound.port;
  const protocol = toProtocol(inbound.tags[PROTOCOL_TAG]);
  const cluster = names.localCluster(servicePort);
  const local: LocalClusterParams = { address: inbound.serviceAddress ?? '127.0.0.1', port: servicePort, http2: isHttp2(protocol) };
  set.add(snap.resource(TYPE_URLS.cluster, cluster, local, buildLocalCluster));
  const mtls = meshCa(snap) !== undefined;
  const params: InboundListenerParams = {
    address,
    port: inbound.port,
    service: inbound.tags[SERVICE_TAG] ?? '',
    protocol,
    cluster,
    transparent,
    mtlsMesh: mtls ? snap.mesh : null,
    rbac: mtls ? inboundRbacPolicies(snap, inbound.tags) : null,
    tracing: inboundTracing(snap, proxyTagSets(dp.spec), inbound.tags[SERVICE_TAG] ?? '', protocol),
    httpPolicies: inboundHttpPolicies(snap.policies.faultInjections, snap.policies.rateLimits, inbound.tags),
  };
  set.add(snap.resource(TYPE_URLS.listener, names.inboundListener(address, inbound.port), params, buildInboundListener));
}

function buildLocalCluster(p: LocalClusterParams, name: string): EnvoyObject {
  return staticCluster(name, p.address, p.port, DEFAULT_CONNECT_TIMEOUT, p.http2);
}

function buildInboundListener(p: InboundListenerParams, name: string): EnvoyObject {
  const target = [{ cluster: p.cluster, weight: 100 }];
  const action = routeAction({ targets: target });
  const filter = isHttp(p.protocol)
    ? hcmFilter({
        statPrefix: statPrefix(name),
        routeConfig: routeConfiguration(names.inboundRoute(p.service), p.service, action, {
          headerRoutes: inboundRateLimitRoutes(p.httpPolicies, action),
          removeRequestHeaders: [TAGS_HEADER],
        }),
        http2: isHttp2(p.protocol),
        tracing: hcmTracingOf(p.tracing),
        httpFilters: inboundHttpFilters(p.httpPolicies),
      })
    : tcpProxyFilter({ statPrefix: statPrefix(name), targets: target });
  // Kuma: the RBAC filter (before the terminal filter) has the stat prefix `inbound_<ip>_<port>.`
  const filters = p.rbac ? [networkRbacFilter(`${statPrefix(name)}.`, p.rbac), filter] : [filter];
  return listener({
    name,
    address: p.address,
    port: p.port,
    direction: 'INBOUND',
    filters,
    bindToPort: !p.transparent,
    ...(p.mtlsMesh !== null ? { transportSocket: inboundMtlsTransportSocket(p.mtlsMesh) } : {}),
  });
}

/** Adds the outbounds to `set`, but for the routes that need the proxy's tags: returns their plans. */
function addOutbounds(snap: MeshSnapshot, set: ResourceSet, params: SharedParams, transparent: boolean): OutboundPlan[] {
  const plans: OutboundPlan[] = [];
  const tagged = new Map<string, OutboundPlan>();
  const needTags = snap.derived(NO_PARAMS, meshTagsHeaderServices);
  for (const outbound of outboundAddresses(snap, params.outbound, transparent)) {
    const plan = planOutbound(snap, params.ranks, outbound.service);
    if (!plan) continue;
    plans.push(plan);
    if (isHttp(plan.protocol) && plan.splits.some((s) => needTags.has(s.service))) tagged.set(plan.service, plan);
    addOutboundListener(snap, set, outbound, plan, transparent, tagged.has(plan.service), outboundObservability(snap, params.observability, params.ranks, plan.service, plan.protocol));
  }
  const clusters = new Map<string, ClusterPlan>();
  for (const plan of plans) for (const c of plan.clusters) if (!clusters.has(c.service)) clusters.set(c.service, c);
  const keys = subsetKeys(plans);
  for (const cluster of clusters.values()) {
    const subsets = keys.get(cluster.service) ?? NO_SUBSETS;
    const external = snap.externalServices.get(cluster.service);
    if (external) {
      set.add(snap.resource(TYPE_URLS.cluster, cluster.service, { cluster, subsets, external }, buildExternalCluster));
      continue;
    }
    const tls = meshCa(snap) ? { mesh: snap.mesh, subsets: splitSubsets(plans, cluster.service) } : null;
    set.add(snap.resource(TYPE_URLS.cluster, cluster.service, { cluster, subsets, tls }, buildMeshCluster));
    set.add(loadAssignment(snap, cluster.service, cluster.service));
  }
  return [...tagged.values()];
}

const NO_SUBSETS: readonly string[][] = [];
const NO_PARAMS: Readonly<Record<string, never>> = {};

/** The services whose routes need the caller's tags (see tagsHeaderServices), once per snapshot. */
function meshTagsHeaderServices(snap: MeshSnapshot): ReadonlySet<string> {
  return tagsHeaderServices(snap.endpoints, snap.policies.faultInjections, snap.policies.rateLimits);
}

interface MeshClusterParams {
  readonly cluster: ClusterPlan;
  readonly subsets: readonly string[][];
}

interface MeshTlsParams {
  readonly mesh: string;
  /** Tag subsets TrafficRoute splits narrow the service to (one transport socket match each). */
  readonly subsets: readonly Tags[];
}

/** Distinct tag subsets the splits of `plans` narrow `service` to, sorted by their SNI. */
function splitSubsets(plans: readonly OutboundPlan[], service: string): Tags[] {
  const out = new Map<string, Tags>();
  for (const plan of plans) for (const split of plan.splits) if (split.service === service && split.subset) out.set(meshSni(service, '', split.subset), split.subset);
  return [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, tags]) => tags);
}

/** Mesh mTLS to `service`: SNI `<service>{mesh=<mesh>}`, and one transport socket match per split subset with its tags in the SNI. */
function meshClusterTls(service: string, tls: MeshTlsParams): Pick<EdsClusterOptions, 'transportSocket' | 'transportSocketMatches'> {
  return {
    transportSocket: outboundMtlsTransportSocket(tls.mesh, service),
    transportSocketMatches: tls.subsets.map((tags) => ({ name: meshSni(service, tls.mesh, tags), match: tags, transportSocket: outboundMtlsTransportSocket(tls.mesh, service, tags) })),
  };
}

function buildMeshCluster({ cluster, subsets, tls }: MeshClusterParams & { readonly tls: MeshTlsParams | null }, name: string): EnvoyObject {
  return edsCluster({
    name,
    connectTimeout: cluster.connectTimeout,
    lb: cluster.lb,
    http2: cluster.http2,
    subsetKeys: subsets,
    ...clusterPolicyOptions(cluster),
    ...(tls ? meshClusterTls(name, tls) : {}),
  });
}

/** A service's ExternalServices as one cluster: STRICT_DNS (STATIC for IPs), endpoints inline, each with its TLS. */
function buildExternalCluster({ cluster, subsets, external }: MeshClusterParams & { readonly external: ExternalServiceGroup }, name: string): EnvoyObject {
  return dnsCluster({
    name,
    connectTimeout: cluster.connectTimeout,
    lb: cluster.lb,
    http2: cluster.http2,
    subsetKeys: subsets,
    ...externalClusterEndpoints(external),
    ...clusterPolicyOptions(cluster),
  });
}

interface OutboundRouteParams {
  readonly service: string;
  readonly protocol: OutboundProtocol;
  readonly targets: readonly WeightedTarget[];
  readonly timeout: TimeoutConf | null;
  readonly retry: RetryConf | null;
  readonly autoHostRewrite: boolean;
  readonly tagsHeader: string;
}

interface OutboundListenerParams {
  readonly address: string;
  readonly port: number;
  readonly service: string;
  readonly protocol: OutboundProtocol;
  readonly targets: readonly WeightedTarget[];
  readonly timeout: TimeoutConf | null;
  readonly retry: RetryConf | null;
  readonly transparent: boolean;
  /** TrafficLog (file backend) and TrafficTrace of this outbound. */
  readonly accessLog: AccessLogParams | null;
  readonly tracing: TracingOptions | null;
}

/** `tagged`: its route needs the proxy's tags, so it is built per tag set (taggedRoutes), not added here. */
function addOutboundListener(snap: MeshSnapshot, set: ResourceSet, outbound: OutboundAddress, plan: OutboundPlan, transparent: boolean, tagged: boolean, obs: OutboundObservability): void {
  const targets = sidecarTargets(plan);
  const timeout = plan.timeout ?? null;
  const retry = plan.retry ?? null;
  if (isHttp(plan.protocol) && !tagged) set.add(outboundRoute(snap, plan, ''));
  const params: OutboundListenerParams = { address: outbound.address, port: outbound.port, service: plan.service, protocol: plan.protocol, targets, timeout, retry, transparent, ...obs };
  set.add(snap.resource(TYPE_URLS.listener, names.outboundListener(outbound.address, outbound.port), params, buildOutboundListener));
}

/** An HTTP outbound's route configuration; `tagsHeader` non-empty: it sets `x-kuma-tags` to it. */
function outboundRoute(snap: MeshSnapshot, plan: OutboundPlan, tagsHeader: string): EncodedResource {
  // Like Kuma, a route that can reach an ExternalService rewrites Host to its DNS name.
  const autoHostRewrite = plan.splits.some((s) => snap.externalServices.has(s.service));
  const route: OutboundRouteParams = {
    service: plan.service,
    protocol: plan.protocol,
    targets: sidecarTargets(plan),
    timeout: plan.timeout ?? null,
    retry: plan.retry ?? null,
    autoHostRewrite,
    tagsHeader,
  };
  return snap.resource(TYPE_URLS.routeConfiguration, names.outboundRoute(plan.service), route, buildOutboundRoute);
}

function buildOutboundRoute(p: OutboundRouteParams, name: string): EnvoyObject {
  const requestTimeout = p.protocol === 'grpc' ? undefined : duration(p.timeout?.http?.requestTimeout);
  const maxStreamDuration = p.protocol === 'grpc' ? duration(p.timeout?.grpc?.maxStreamDuration) : undefined;
  const retry = retrySettings(p.retry ?? undefined, p.protocol);
  return routeConfiguration(
    name,
    p.service,
    routeAction({
      targets: p.targets,
      ...(requestTimeout ? { timeout: requestTimeout } : {}),
      ...(maxStreamDuration ? { maxStreamDuration } : {}),
      ...(retry ? { retry } : {}),
      ...(p.autoHostRewrite ? { autoHostRewrite: true } : {}),
    }),
    p.tagsHeader ? { setRequestHeaders: { [TAGS_HEADER]: p.tagsHeader } } : {},
  );
}

function buildOutboundListener(p: OutboundListenerParams, name: string): EnvoyObject {
  let filter: EnvoyObject;
  if (isHttp(p.protocol)) {
    const idleTimeout = duration(p.timeout?.http?.idleTimeout);
    const streamIdleTimeout = p.protocol === 'grpc' ? duration(p.timeout?.grpc?.streamIdleTimeout) : undefined;
    filter = hcmFilter({
      statPrefix: statPrefix(p.service),
      rds: names.outboundRoute(p.service),
      http2: isHttp2(p.protocol),
      ...(idleTimeout ? { idleTimeout } : {}),
      ...(streamIdleTimeout ? { streamIdleTimeout } : {}),
      tracing: hcmTracingOf(p.tracing),
      accessLog: accessLogs(p.accessLog),
    });
  } else {
    const idleTimeout = duration(p.timeout?.tcp?.idleTimeout);
    const maxConnectAttempts = p.retry?.tcp?.maxConnectAttempts;
    filter = tcpProxyFilter({
      statPrefix: statPrefix(p.service),
      targets: p.targets,
      ...(idleTimeout ? { idleTimeout } : {}),
      ...(maxConnectAttempts ? { maxConnectAttempts } : {}),
      accessLog: accessLogs(p.accessLog),
    });
  }
  return listener({ name, address: p.address, port: p.port, direction: 'OUTBOUND', filters: [filter], bindToPort: !p.transparent });
}

/** Declared outbounds, then (transparent proxies) every service's VIP on port 80 and on its inbound ports. */
function outboundAddresses(snap: MeshSnapshot, declared: SharedParams['outbound'], transparent: boolean): OutboundAddress[] {
  const result: OutboundAddress[] = [];
  for (const o of declared ?? []) {
    const service = o.tags?.[SERVICE_TAG] ?? o.service;
    if (service) result.push({ address: o.address ?? '127.0.0.1', port: o.port, service });
  }
  if (transparent) {
    for (const [service, vip] of [...snap.vips].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      // An ExternalService is also reachable on its own port (Kuma's VIP outbounds).
      const ports = [VIP_PORT, ...(snap.servicePorts.get(service) ?? []), ...(snap.externalServices.get(service)?.ports ?? [])];
      for (const port of new Set(ports)) result.push({ address: vip, port, service });
    }
  }
  return result;
}

function addPassthrough(snap: MeshSnapshot, set: ResourceSet, tp: NonNullable<SharedParams['transparentProxying']>): void {
  const inboundPort = tp.redirectPortInbound ?? DEFAULT_REDIRECT_INBOUND;
  passthrough(snap, set, names.inboundPassthrough, inboundPort, 'INBOUND', INBOUND_PASSTHROUGH_SOURCE);
  // With mesh passthrough off, connections to destinations outside the mesh find no listener.
  if (snap.meshSpec.networking?.outbound?.passthrough !== false) {
    passthrough(snap, set, names.outboundPassthrough, tp.redirectPortOutbound ?? DEFAULT_REDIRECT_OUTBOUND, 'OUTBOUND');
  }
}

interface PassthroughClusterParams {
  readonly bindAddress: string | null;
}

interface PassthroughListenerParams {
  readonly port: number;
  readonly direction: 'INBOUND' | 'OUTBOUND';
}

function passthrough(snap: MeshSnapshot, set: ResourceSet, name: string, port: number, direction: 'INBOUND' | 'OUTBOUND', bindAddress?: string): void {
  set.add(snap.resource(TYPE_URLS.cluster, name, { bindAddress: bindAddress ?? null }, buildPassthroughCluster));
  set.add(snap.resource(TYPE_URLS.listener, name, { port, direction }, buildPassthroughListener));
}

function buildPassthroughCluster(p: PassthroughClusterParams, name: string): EnvoyObject {
  return originalDstCluster(name, DEFAULT_CONNECT_TIMEOUT, p.bindAddress ?? undefined);
}

function buildPassthroughListener(p: PassthroughListenerParams, name: string): EnvoyObject {
  return listener({
    name,
    address: '0.0.0.0',
    port: p.port,
    direction: p.direction,
    filters: [tcpProxyFilter({ statPrefix: statPrefix(name), targets: [{ cluster: name, weight: 100 }] })],
    useOriginalDst: true,
  });
}
