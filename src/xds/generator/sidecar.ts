import { NotFoundError } from '../../core/errors.js';
import type { Resource } from '../../core/resources/model.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataplaneInbound, type DataplaneSpec, type RetryConf, type Tags, type TimeoutConf } from '../../core/resources/specs.js';
import { dnsCluster, edsCluster, originalDstCluster, staticCluster } from '../envoy/clusters.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { hcmFilter, routeAction, routeConfiguration, type WeightedTarget } from '../envoy/http.js';
import { listener } from '../envoy/listeners.js';
import { names, statPrefix } from '../envoy/names.js';
import { tcpProxyFilter } from '../envoy/tcp.js';
import { upstreamTlsTransportSocket } from '../envoy/tls.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { ExternalEndpoint } from './external-services.js';
import { loadAssignment } from './load-assignment.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { planOutbound, sidecarTargets, sourceKey, subsetKeys, type ClusterPlan, type OutboundPlan } from './outbound-plan.js';
import { DEFAULT_CONNECT_TIMEOUT, duration, retrySettings, type OutboundProtocol } from './policy-conf.js';
import { isHttp, isHttp2, toProtocol } from './protocol.js';
import { ResourceGroup } from '../cache/resource-group.js';
import { canonical } from './canonical.js';
import { ResourceSet } from './resource-set.js';

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
  /** How the mesh's policies match the proxy's source tags (`sourceKey`): plans depend on the tags only through it. */
  readonly sourceKey: string;
  /** Declared outbounds. */
  readonly outbound: DataplaneSpec['networking']['outbound'];
  readonly transparentProxying: DataplaneSpec['networking']['transparentProxying'] | null;
}

/** A sidecar's resources: its own (inbound listeners and local clusters) and a group shared with every proxy of the same parameters. */
export interface SidecarParts {
  readonly own: EncodedResource[];
  readonly shared: ResourceGroup;
}

/**
 * The full resource set of one Envoy (sidecar or gateway) of the mesh: inbound listeners and their local
 * clusters, one outbound listener per declared outbound (and per VIP for transparent proxies) with its
 * route, the EDS cluster and endpoints of every service they reach (an ExternalService's cluster is
 * STRICT_DNS with its endpoint inline and optional TLS), and the passthrough listeners.
 * Throws NotFoundError when the Dataplane is not in the snapshot. A zone ingress gets nothing (not generated yet).
 */
export function generateSidecar(snap: MeshSnapshot, dataplaneName: string): EncodedResource[] {
  const { own, shared } = generateSidecarParts(snap, dataplaneName);
  const set = new ResourceSet();
  for (const r of own) set.add(r);
  for (const t of shared.types()) for (const r of shared.list(t)) set.add(r);
  return set.toArray();
}

/**
 * The same resources split for sharing: everything but the inbound side depends only on the proxy's
 * SharedParams, so it is generated once per distinct parameters per mesh snapshot (in a mesh of 2,000
 * sidecars of 100 services, 100 times, not 2,000) and held by all those proxies as one ResourceGroup.
 */
export function generateSidecarParts(snap: MeshSnapshot, dataplaneName: string): SidecarParts {
  const dp = snap.dataplanes.get(dataplaneName);
  if (!dp) throw new NotFoundError('Dataplane', dataplaneName, snap.mesh);
  if (dp.spec.networking.ingress) return { own: [], shared: ResourceGroup.EMPTY };
  const net = dp.spec.networking;
  const source = sourceTags(dp.spec);
  const params: SharedParams = { sourceKey: sourceKey(snap, source), outbound: net.outbound, transparentProxying: net.transparentProxying ?? null };
  // `source` is one of the sources with this key: the plans it gives are those of every other one.
  const shared = snap.derived(`sidecar-shared\n${canonical(params)}`, () => sharedGroup(snap, params, source));
  const set = new ResourceSet();
  const transparent = net.transparentProxying !== undefined;
  for (const inbound of net.inbound ?? []) addInbound(snap, set, dp, inbound, transparent);
  // Own resources first win over shared ones of the same (type, name), as in one ResourceSet.
  const own = set.toArray();
  return { own, shared: own.some((r) => shared.get(r.typeUrl, r.name)) ? withoutShadowed(shared, own) : shared };
}

function sharedGroup(snap: MeshSnapshot, params: SharedParams, source: readonly Tags[]): ResourceGroup {
  const set = new ResourceSet();
  const transparent = params.transparentProxying !== null;
  addOutbounds(snap, set, params, source, transparent);
  if (params.transparentProxying) addPassthrough(snap, set, params.transparentProxying);
  return new ResourceGroup(set.toArray());
}

/** The shared group minus what the proxy's own resources shadow (a service named like a local cluster). */
function withoutShadowed(shared: ResourceGroup, own: readonly EncodedResource[]): ResourceGroup {
  const taken = new Set(own.map((r) => `${r.typeUrl}\n${r.name}`));
  const rest: EncodedResource[] = [];
  for (const t of shared.types()) for (const r of shared.list(t)) if (!taken.has(`${t}\n${r.name}`)) rest.push(r);
  return new ResourceGroup(rest);
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
}

function addInbound(snap: MeshSnapshot, set: ResourceSet, dp: Resource<DataplaneSpec>, inbound: DataplaneInbound, transparent: boolean): void {
  const net = dp.spec.networking;
  const address = inbound.address ?? net.address;
  const servicePort = inbound.servicePort ?? inbound.port;
  const protocol = toProtocol(inbound.tags[PROTOCOL_TAG]);
  const cluster = names.localCluster(servicePort);
  const local: LocalClusterParams = { address: inbound.serviceAddress ?? '127.0.0.1', port: servicePort, http2: isHttp2(protocol) };
  set.add(snap.resource(TYPE_URLS.cluster, cluster, local, buildLocalCluster));
  const params: InboundListenerParams = { address, port: inbound.port, service: inbound.tags[SERVICE_TAG] ?? '', protocol, cluster, transparent };
  set.add(snap.resource(TYPE_URLS.listener, names.inboundListener(address, inbound.port), params, buildInboundListener));
}

function buildLocalCluster(p: LocalClusterParams, name: string): EnvoyObject {
  return staticCluster(name, p.address, p.port, DEFAULT_CONNECT_TIMEOUT, p.http2);
}

// Seam: with mTLS, TrafficPermission (matchInboundPolicy) becomes an RBAC filter placed before the terminal filter.
function buildInboundListener(p: InboundListenerParams, name: string): EnvoyObject {
  const target = [{ cluster: p.cluster, weight: 100 }];
  const filter = isHttp(p.protocol)
    ? hcmFilter({
        statPrefix: statPrefix(name),
        routeConfig: routeConfiguration(names.inboundRoute(p.service), p.service, routeAction({ targets: target })),
        http2: isHttp2(p.protocol),
      })
    : tcpProxyFilter({ statPrefix: statPrefix(name), targets: target });
  return listener({ name, address: p.address, port: p.port, direction: 'INBOUND', filters: [filter], bindToPort: !p.transparent });
}

function addOutbounds(snap: MeshSnapshot, set: ResourceSet, params: SharedParams, source: readonly Tags[], transparent: boolean): void {
  const plans: OutboundPlan[] = [];
  for (const outbound of outboundAddresses(snap, params.outbound, transparent)) {
    const plan = planOutbound(snap, source, outbound.service);
    if (!plan) continue;
    plans.push(plan);
    addOutboundListener(snap, set, outbound, plan, transparent);
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
    set.add(snap.resource(TYPE_URLS.cluster, cluster.service, { cluster, subsets }, buildMeshCluster));
    set.add(loadAssignment(snap, cluster.service, cluster.service));
  }
}

const NO_SUBSETS: readonly string[][] = [];

interface MeshClusterParams {
  readonly cluster: ClusterPlan;
  readonly subsets: readonly string[][];
}

function buildMeshCluster({ cluster, subsets }: MeshClusterParams, name: string): EnvoyObject {
  return edsCluster({
    name,
    connectTimeout: cluster.connectTimeout,
    lb: cluster.lb,
    http2: cluster.http2,
    subsetKeys: subsets,
    ...(cluster.healthCheck ? { healthChecks: [cluster.healthCheck] } : {}),
    ...(cluster.circuitBreakers ? { circuitBreakers: cluster.circuitBreakers } : {}),
    ...(cluster.outlierDetection ? { outlierDetection: cluster.outlierDetection } : {}),
  });
}

/** An ExternalService's cluster: STRICT_DNS (STATIC for an IP) with its endpoint inline, TLS if enabled. */
function buildExternalCluster({ cluster, subsets, external }: MeshClusterParams & { readonly external: ExternalEndpoint }, name: string): EnvoyObject {
  return dnsCluster({
    name,
    connectTimeout: cluster.connectTimeout,
    lb: cluster.lb,
    http2: cluster.http2,
    subsetKeys: subsets,
    endpoint: { address: external.host, port: external.port, tags: external.tags },
    ...(cluster.healthCheck ? { healthChecks: [cluster.healthCheck] } : {}),
    ...(cluster.circuitBreakers ? { circuitBreakers: cluster.circuitBreakers } : {}),
    ...(cluster.outlierDetection ? { outlierDetection: cluster.outlierDetection } : {}),
    ...(external.tls ? { transportSocket: upstreamTlsTransportSocket(external.tls) } : {}),
  });
}

interface OutboundRouteParams {
  readonly service: string;
  readonly protocol: OutboundProtocol;
  readonly targets: readonly WeightedTarget[];
  readonly timeout: TimeoutConf | null;
  readonly retry: RetryConf | null;
  readonly autoHostRewrite: boolean;
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
}

function addOutboundListener(snap: MeshSnapshot, set: ResourceSet, outbound: OutboundAddress, plan: OutboundPlan, transparent: boolean): void {
  const targets = sidecarTargets(plan);
  const timeout = plan.timeout ?? null;
  const retry = plan.retry ?? null;
  if (isHttp(plan.protocol)) {
    // Like Kuma, a route that can reach an ExternalService rewrites Host to its DNS name.
    const autoHostRewrite = plan.splits.some((s) => snap.externalServices.has(s.service));
    const route: OutboundRouteParams = { service: plan.service, protocol: plan.protocol, targets, timeout, retry, autoHostRewrite };
    set.add(snap.resource(TYPE_URLS.routeConfiguration, names.outboundRoute(plan.service), route, buildOutboundRoute));
  }
  const params: OutboundListenerParams = { address: outbound.address, port: outbound.port, service: plan.service, protocol: plan.protocol, targets, timeout, retry, transparent };
  set.add(snap.resource(TYPE_URLS.listener, names.outboundListener(outbound.address, outbound.port), params, buildOutboundListener));
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
    });
  } else {
    const idleTimeout = duration(p.timeout?.tcp?.idleTimeout);
    const maxConnectAttempts = p.retry?.tcp?.maxConnectAttempts;
    filter = tcpProxyFilter({
      statPrefix: statPrefix(p.service),
      targets: p.targets,
      ...(idleTimeout ? { idleTimeout } : {}),
      ...(maxConnectAttempts ? { maxConnectAttempts } : {}),
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
      const externalPort = snap.externalServices.get(service)?.port;
      const ports = [VIP_PORT, ...(snap.servicePorts.get(service) ?? []), ...(externalPort ? [externalPort] : [])];
      for (const port of new Set(ports)) result.push({ address: vip, port, service });
    }
  }
  return result;
}

/** Policies' `sources` are matched against every inbound's tags, or the gateway's tags. */
function sourceTags(spec: DataplaneSpec): Tags[] {
  const sets = (spec.networking.inbound ?? []).map((i) => i.tags);
  if (spec.networking.gateway) sets.push(spec.networking.gateway.tags);
  return sets;
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
