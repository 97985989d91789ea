import { NotFoundError } from '../../core/errors.js';
import type { Resource } from '../../core/resources/model.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataplaneInbound, type DataplaneSpec, type Tags } from '../../core/resources/specs.js';
import { dnsCluster, edsCluster, originalDstCluster, staticCluster } from '../envoy/clusters.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { hcmFilter, routeAction, routeConfiguration } from '../envoy/http.js';
import { listener } from '../envoy/listeners.js';
import { names, statPrefix } from '../envoy/names.js';
import { tcpProxyFilter } from '../envoy/tcp.js';
import { upstreamTlsTransportSocket } from '../envoy/tls.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { ExternalEndpoint } from './external-services.js';
import { loadAssignment } from './load-assignment.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { planOutbound, sidecarTargets, subsetKeys, type ClusterPlan, type OutboundPlan } from './outbound-plan.js';
import { DEFAULT_CONNECT_TIMEOUT, duration, retrySettings } from './policy-conf.js';
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
  /** Tag sets policies' `sources` are matched against (every inbound's, the gateway's). */
  readonly source: readonly Tags[];
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
  const params: SharedParams = { source: sourceTags(dp.spec), outbound: net.outbound, transparentProxying: net.transparentProxying ?? null };
  const key = canonical(params);
  const shared = snap.derived(`sidecar-shared\n${key}`, () => sharedGroup(snap, params));
  const set = new ResourceSet();
  const transparent = net.transparentProxying !== undefined;
  for (const inbound of net.inbound ?? []) addInbound(snap, set, dp, inbound, transparent);
  // Own resources first win over shared ones of the same (type, name), as in one ResourceSet.
  const own = set.toArray();
  return { own, shared: own.some((r) => shared.get(r.typeUrl, r.name)) ? withoutShadowed(shared, own) : shared };
}

function sharedGroup(snap: MeshSnapshot, params: SharedParams): ResourceGroup {
  const set = new ResourceSet();
  const transparent = params.transparentProxying !== null;
  addOutbounds(snap, set, params, transparent);
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

function addInbound(snap: MeshSnapshot, set: ResourceSet, dp: Resource<DataplaneSpec>, inbound: DataplaneInbound, transparent: boolean): void {
  const net = dp.spec.networking;
  const address = inbound.address ?? net.address;
  const servicePort = inbound.servicePort ?? inbound.port;
  const serviceAddress = inbound.serviceAddress ?? '127.0.0.1';
  const service = inbound.tags[SERVICE_TAG] ?? '';
  const protocol = toProtocol(inbound.tags[PROTOCOL_TAG]);
  const clusterName = names.localCluster(servicePort);
  set.add(
    snap.resource(TYPE_URLS.cluster, clusterName, JSON.stringify([serviceAddress, servicePort, protocol]), () =>
      staticCluster(clusterName, serviceAddress, servicePort, DEFAULT_CONNECT_TIMEOUT, isHttp2(protocol)),
    ),
  );
  const name = names.inboundListener(address, inbound.port);
  // Seam: with mTLS, TrafficPermission (matchInboundPolicy) becomes an RBAC filter placed before the terminal filter.
  set.add(
    snap.resource(TYPE_URLS.listener, name, JSON.stringify([address, inbound.port, service, protocol, clusterName, transparent]), () => {
      const target = [{ cluster: clusterName, weight: 100 }];
      const filter = isHttp(protocol)
        ? hcmFilter({
            statPrefix: statPrefix(name),
            routeConfig: routeConfiguration(names.inboundRoute(service), service, routeAction({ targets: target })),
            http2: isHttp2(protocol),
          })
        : tcpProxyFilter({ statPrefix: statPrefix(name), targets: target });
      return listener({ name, address, port: inbound.port, direction: 'INBOUND', filters: [filter], bindToPort: !transparent });
    }),
  );
}

function addOutbounds(snap: MeshSnapshot, set: ResourceSet, params: SharedParams, transparent: boolean): void {
  const plans: OutboundPlan[] = [];
  for (const outbound of outboundAddresses(snap, params.outbound, transparent)) {
    const plan = planOutbound(snap, params.source, outbound.service);
    if (!plan) continue;
    plans.push(plan);
    addOutboundListener(snap, set, outbound, plan, transparent);
  }
  const clusters = new Map<string, ClusterPlan>();
  for (const plan of plans) for (const c of plan.clusters) if (!clusters.has(c.service)) clusters.set(c.service, c);
  for (const cluster of clusters.values()) {
    const keys = subsetKeys(plans, cluster.service);
    const external = snap.externalServices.get(cluster.service);
    if (external) {
      set.add(externalCluster(snap, cluster, keys, external));
      continue;
    }
    set.add(
      snap.resource(TYPE_URLS.cluster, cluster.service, `${cluster.key}\n${JSON.stringify(keys)}`, () =>
        edsCluster({
          name: cluster.service,
          connectTimeout: cluster.connectTimeout,
          lb: cluster.lb,
          http2: cluster.http2,
          subsetKeys: keys,
          ...(cluster.healthCheck ? { healthChecks: [cluster.healthCheck] } : {}),
          ...(cluster.circuitBreakers ? { circuitBreakers: cluster.circuitBreakers } : {}),
          ...(cluster.outlierDetection ? { outlierDetection: cluster.outlierDetection } : {}),
        }),
      ),
    );
    set.add(loadAssignment(snap, cluster.service, cluster.service));
  }
}

/** An ExternalService's cluster: STRICT_DNS (STATIC for an IP) with its endpoint inline, TLS if enabled. */
function externalCluster(snap: MeshSnapshot, cluster: ClusterPlan, keys: readonly string[][], external: ExternalEndpoint): EncodedResource {
  return snap.resource(TYPE_URLS.cluster, cluster.service, `external\n${cluster.key}\n${JSON.stringify(keys)}\n${external.key}`, () =>
    dnsCluster({
      name: cluster.service,
      connectTimeout: cluster.connectTimeout,
      lb: cluster.lb,
      http2: cluster.http2,
      subsetKeys: keys,
      endpoint: { address: external.host, port: external.port, tags: external.tags },
      ...(cluster.healthCheck ? { healthChecks: [cluster.healthCheck] } : {}),
      ...(cluster.circuitBreakers ? { circuitBreakers: cluster.circuitBreakers } : {}),
      ...(cluster.outlierDetection ? { outlierDetection: cluster.outlierDetection } : {}),
      ...(external.tls ? { transportSocket: upstreamTlsTransportSocket(external.tls) } : {}),
    }),
  );
}

function addOutboundListener(snap: MeshSnapshot, set: ResourceSet, outbound: OutboundAddress, plan: OutboundPlan, transparent: boolean): void {
  const name = names.outboundListener(outbound.address, outbound.port);
  const timeout = plan.timeout;
  const targets = sidecarTargets(plan);
  if (isHttp(plan.protocol)) {
    const routeName = names.outboundRoute(plan.service);
    // Like Kuma, a route that can reach an ExternalService rewrites Host to its DNS name.
    const autoHostRewrite = plan.splits.some((s) => snap.externalServices.has(s.service));
    set.add(
      snap.resource(TYPE_URLS.routeConfiguration, routeName, `${plan.key}\n${autoHostRewrite}`, () => {
        const requestTimeout = plan.protocol === 'grpc' ? undefined : duration(timeout?.http?.requestTimeout);
        const maxStreamDuration = plan.protocol === 'grpc' ? duration(timeout?.grpc?.maxStreamDuration) : undefined;
        const retry = retrySettings(plan.retry, plan.protocol);
        return routeConfiguration(
          routeName,
          plan.service,
          routeAction({
            targets,
            ...(requestTimeout ? { timeout: requestTimeout } : {}),
            ...(maxStreamDuration ? { maxStreamDuration } : {}),
            ...(retry ? { retry } : {}),
            ...(autoHostRewrite ? { autoHostRewrite } : {}),
          }),
        );
      }),
    );
  }
  set.add(
    snap.resource(TYPE_URLS.listener, name, `${JSON.stringify([outbound.address, outbound.port, outbound.service, transparent])}\n${plan.key}`, () => {
      let filter: EnvoyObject;
      if (isHttp(plan.protocol)) {
        const idleTimeout = duration(timeout?.http?.idleTimeout);
        const streamIdleTimeout = plan.protocol === 'grpc' ? duration(timeout?.grpc?.streamIdleTimeout) : undefined;
        filter = hcmFilter({
          statPrefix: statPrefix(plan.service),
          rds: names.outboundRoute(plan.service),
          http2: isHttp2(plan.protocol),
          ...(idleTimeout ? { idleTimeout } : {}),
          ...(streamIdleTimeout ? { streamIdleTimeout } : {}),
        });
      } else {
        const idleTimeout = duration(timeout?.tcp?.idleTimeout);
        const maxConnectAttempts = plan.retry?.tcp?.maxConnectAttempts;
        filter = tcpProxyFilter({
          statPrefix: statPrefix(plan.service),
          targets,
          ...(idleTimeout ? { idleTimeout } : {}),
          ...(maxConnectAttempts ? { maxConnectAttempts } : {}),
        });
      }
      return listener({ name, address: outbound.address, port: outbound.port, direction: 'OUTBOUND', filters: [filter], bindToPort: !transparent });
    }),
  );
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

function passthrough(snap: MeshSnapshot, set: ResourceSet, name: string, port: number, direction: 'INBOUND' | 'OUTBOUND', bindAddress?: string): void {
  set.add(snap.resource(TYPE_URLS.cluster, name, JSON.stringify([bindAddress ?? null]), () => originalDstCluster(name, DEFAULT_CONNECT_TIMEOUT, bindAddress)));
  set.add(
    snap.resource(TYPE_URLS.listener, name, JSON.stringify([port, direction]), () =>
      listener({
        name,
        address: '0.0.0.0',
        port,
        direction,
        filters: [tcpProxyFilter({ statPrefix: statPrefix(name), targets: [{ cluster: name, weight: 100 }] })],
        useOriginalDst: true,
      }),
    ),
  );
}
