import { SERVICE_TAG, type DataplaneSpec } from '../../core/resources/specs.js';
import type { Resource } from '../../core/resources/model.js';
import { grpcServerListener } from '../envoy/grpc-server.js';
import { xdsDownstreamTls } from '../envoy/xds-tls.js';
import { names } from '../envoy/names.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { grpcRbacFilter, type PermissionParams } from './grpc-rbac.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { matchInboundPolicy } from './policy-match.js';

/** gRFC A36: the listener an xDS-enabled gRPC server bound to `<ip>:<port>` asks for (bootstrap template). */
export const SERVER_LISTENER_TEMPLATE = 'grpc/server?xds.resource.listening_address=%s';

/** The addresses a server of the inbound may bind: the inbound's own, or all IPv4 / all IPv6 interfaces. */
const WILDCARDS = ['0.0.0.0', '::'];

export function serverListenerName(ip: string, port: number): string {
  return SERVER_LISTENER_TEMPLATE.replace('%s', `${ip.includes(':') ? `[${ip}]` : ip}:${port}`);
}

/**
 * The server side of a proxyless Dataplane with inbounds (an xDS-enabled gRPC server, gRFC A36): per inbound,
 * a Listener for each address it may bind (the inbound's, 0.0.0.0, [::]) whose single filter chain routes
 * every RPC to the server itself (non_forwarding_action). With mesh mTLS: a DownstreamTlsContext requiring
 * client certificates (A29) and the RBAC filter (A41) built from the TrafficPermission of the inbound;
 * without, plaintext and no RBAC (Kuma enforces TrafficPermission only with mTLS).
 */
export function serverListeners(snap: MeshSnapshot, dp: Resource<DataplaneSpec>): EncodedResource[] {
  const net = dp.spec.networking;
  const mtls = Boolean(snap.meshSpec.mtls?.enabledBackend);
  const out: EncodedResource[] = [];
  for (const inbound of net.inbound ?? []) {
    const service = inbound.tags[SERVICE_TAG] ?? '';
    const matched = mtls ? matchInboundPolicy(snap.policies.trafficPermissions, inbound.tags) : undefined;
    const permission: PermissionParams | null = matched ? { name: matched.meta.name, sources: matched.spec.sources ?? [] } : null;
    for (const ip of new Set([inbound.address ?? net.address, ...WILDCARDS])) {
      const params: ServerListenerParams = { address: ip, port: inbound.port, service, mesh: snap.mesh, mtls, permission };
      out.push(snap.resource(TYPE_URLS.listener, serverListenerName(ip, inbound.port), params, buildServerListener));
    }
  }
  return out;
}

interface ServerListenerParams {
  readonly address: string;
  readonly port: number;
  readonly service: string;
  readonly mesh: string;
  readonly mtls: boolean;
  /** The TrafficPermission of the inbound (mTLS only). */
  readonly permission: PermissionParams | null;
}

function buildServerListener(p: ServerListenerParams, name: string): EnvoyObject {
  return grpcServerListener({
    name,
    address: p.address,
    port: p.port,
    routeName: names.inboundRoute(p.service),
    virtualHost: p.service,
    httpFilters: p.mtls ? [grpcRbacFilter(p.mesh, p.permission ?? undefined)] : [],
    ...(p.mtls ? { transportSocket: xdsDownstreamTls() } : {}),
  });
}
