import { NotFoundError } from '../../core/errors.js';
import type { Resource } from '../../core/resources/model.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataplaneInbound, type DataplaneSpec, type Tags } from '../../core/resources/specs.js';
import { dnsCluster, edsCluster, originalDstCluster, staticCluster, type EdsClusterOptions } from '../envoy/clusters.js';
import { inboundMtlsTransportSocket, meshSni, outboundMtlsTransportSocket } from '../envoy/mesh-tls.js';
import { networkRbacFilter } from '../envoy/rbac.js';
import type { IssuedIdentity } from '../../mtls/workload-identity.js';
import { inboundRbacPolicies, meshCa, meshSecrets } from './mesh-mtls.js';
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

/**
 * The full resource set of one Envoy (sidecar or gateway) of the mesh: inbound listeners and their local
 * clusters, one outbound listener per declared outbound (and per VIP for transparent proxies) with its
 * route, the EDS cluster and endpoints of every service they reach (an ExternalService's cluster is
 * STRICT_DNS with its endpoint inline and optional TLS), and the passthrough listeners.
 * Shared pieces come from the snapshot's memo; only the per-proxy listeners are new work.
 * With mTLS on, `identity` is the proxy's workload certificate: its SDS secrets are added, inbounds require
 * mesh client certificates and enforce TrafficPermission (RBAC), mesh clusters originate mTLS.
 * Throws NotFoundError when the Dataplane is not in the snapshot. A zone ingress gets nothing (not generated yet).
 */
export function generateSidecar(snap: MeshSnapshot, dataplaneName: string, identity?: IssuedIdentity): EncodedResource[] {
  const dp = snap.dataplanes.get(dataplaneName);
  if (!dp) throw new NotFoundError('Dataplane', dataplaneName, snap.mesh);
  const set = new ResourceSet();
  if (dp.spec.networking.ingress) return [];
  for (const secret of meshSecrets(snap, identity, `${snap.mesh}.${dataplaneName}`)) set.add(secret);
  const transparent = dp.spec.networking.transparentProxying !== undefined;
  for (const inbound of dp.spec.networking.inbound ?? []) addInbound(snap, set, dp, inbound, transparent);
  addOutbounds(snap, set, dp, transparent);
  if (transparent) addPassthrough(snap, set, dp.spec);
  return set.toArray();
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
  const mtls = meshCa(snap);
  const rbac = mtls ? inboundRbacPolicies(snap, inbound.tags) : undefined;
  set.add(
    snap.resource(TYPE_URLS.listener, name, JSON.stringify([address, inbound.port, service, protocol, clusterName, transparent, mtls ? snap.mesh : null, rbac ?? null]), () => {
      const target = [{ cluster: clusterName, weight: 100 }];
      const filter = isHttp(protocol)
        ? hcmFilter({
            statPrefix: statPrefix(name),
            routeConfig: routeConfiguration(names.inboundRoute(service), service, routeAction({ targets: target })),
            http2: isHttp2(protocol),
          })
        : tcpProxyFilter({ statPrefix: statPrefix(name), targets: target });
      // Kuma: the RBAC filter's stat prefix is `inbound_<ip>_<port>.`
      const filters = rbac ? [networkRbacFilter(`${statPrefix(name)}.`, rbac), filter] : [filter];
      return listener({
        name,
        address,
        port: inbound.port,
        direction: 'INBOUND',
        filters,
        bindToPort: !transparent,
        ...(mtls ? { transportSocket: inboundMtlsTransportSocket(snap.mesh) } : {}),
      });
    }),
  );
}

function addOutbounds(snap: MeshSnapshot, set: ResourceSet, dp: Resource<DataplaneSpec>, transparent: boolean): void {
  const source = sourceTags(dp.spec);
  const plans: OutboundPlan[] = [];
  for (const outbound of outboundAddresses(snap, dp.spec, transparent)) {
    const plan = planOutbound(snap, source, outbound.service);
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
    const tls = meshCa(snap) ? { mesh: snap.mesh, subsets: splitSubsets(plans, cluster.service) } : undefined;
    set.add(
      snap.resource(TYPE_URLS.cluster, cluster.service, `${cluster.key}\n${JSON.stringify(keys)}\n${JSON.stringify(tls ?? null)}`, () =>
        edsCluster({
          name: cluster.service,
          connectTimeout: cluster.connectTimeout,
          lb: cluster.lb,
          http2: cluster.http2,
          subsetKeys: keys,
          ...(cluster.healthCheck ? { healthChecks: [cluster.healthCheck] } : {}),
          ...(cluster.circuitBreakers ? { circuitBreakers: cluster.circuitBreakers } : {}),
          ...(cluster.outlierDetection ? { outlierDetection: cluster.outlierDetection } : {}),
          ...(tls ? meshClusterTls(tls.mesh, cluster.service, tls.subsets) : {}),
        }),
      ),
    );
    set.add(loadAssignment(snap, cluster.service, cluster.service));
  }
}

/** Distinct tag subsets the splits of `plans` narrow `service` to, sorted by their SNI. */
function splitSubsets(plans: readonly OutboundPlan[], service: string): Tags[] {
  const out = new Map<string, Tags>();
  for (const plan of plans) for (const split of plan.splits) if (split.service === service && split.subset) out.set(JSON.stringify(Object.entries(split.subset).sort()), split.subset);
  return [...out.values()].sort((a, b) => (meshSni(service, '', a) < meshSni(service, '', b) ? -1 : 1));
}

/** Mesh mTLS to `service`: SNI `<service>{mesh=<mesh>}`, and one transport socket match per split subset with its tags in the SNI. */
function meshClusterTls(mesh: string, service: string, subsets: readonly Tags[]): Pick<EdsClusterOptions, 'transportSocket' | 'transportSocketMatches'> {
  return {
    transportSocket: outboundMtlsTransportSocket(mesh, service),
    transportSocketMatches: subsets.map((tags) => ({ name: meshSni(service, mesh, tags), match: tags, transportSocket: outboundMtlsTransportSocket(mesh, service, tags) })),
  };
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
function outboundAddresses(snap: MeshSnapshot, spec: DataplaneSpec, transparent: boolean): OutboundAddress[] {
  const result: OutboundAddress[] = [];
  for (const o of spec.networking.outbound ?? []) {
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

function addPassthrough(snap: MeshSnapshot, set: ResourceSet, spec: DataplaneSpec): void {
  const tp = spec.networking.transparentProxying ?? {};
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
