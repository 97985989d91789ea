import { SERVICE_TAG, type DataplaneSpec } from '../../core/resources/specs.js';
import type { Resource } from '../../core/resources/model.js';
import { grpcServerListener } from '../envoy/grpc-server.js';
import { xdsDownstreamTls } from '../envoy/xds-tls.js';
import { names } from '../envoy/names.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { httpRbacFilter, type RbacPolicy } from '../envoy/rbac.js';
import { inboundRbacPolicies } from './mesh-mtls.js';
import type { MeshSnapshot } from './mesh-snapshot.js';

/** gRFC A36: the listener an xDS-enabled gRPC server bound to `<ip>:<port>` asks for (bootstrap template). */
export const SERVER_LISTENER_TEMPLATE = 'grpc/server?xds.resource.listening_address=%s';

/** The addresses a server of the inbound may bind: the inbound's own, or all IPv4 / all IPv6 interfaces. */
const WILDCARDS = ['0.0.0.0', '::'] as const;

export function serverListenerName(ip: string, port: number): string {
  return SERVER_LISTENER_TEMPLATE.replace('%s', `${ip.includes(':') ? `[${ip}]` : ip}:${port}`);
}

/**
 * The server side of a proxyless Dataplane with inbounds (an xDS-enabled gRPC server, gRFC A36): per inbound,
 * a Listener for each address it may bind (the inbound's, 0.0.0.0, [::]) whose single filter chain routes
 * every RPC to the server itself (non_forwarding_action). With mesh mTLS: a DownstreamTlsContext requiring
 * client certificates (A29) and the RBAC filter (A41) from the inbound's TrafficPermissions, as for a sidecar;
 * without, plaintext and no RBAC (Kuma enforces TrafficPermission only with mTLS).
 */
export function serverListeners(snap: MeshSnapshot, dp: Resource<DataplaneSpec>): EncodedResource[] {
  const net = dp.spec.networking;
  const mtls = Boolean(snap.meshSpec.mtls?.enabledBackend);
  const out: EncodedResource[] = [];
  for (const inbound of net.inbound ?? []) {
    const service = inbound.tags[SERVICE_TAG] ?? '';
    // TrafficPermission as for a sidecar's inbound (mTLS only, as Kuma enforces it).
    const rbac = mtls ? inboundRbacPolicies(snap, inbound.tags) : NO_POLICIES;
    for (const ip of new Set([inbound.address ?? net.address, ...WILDCARDS])) {
      const params: ServerListenerParams = { address: ip, port: inbound.port, service, mtls, rbac };
      out.push(snap.resource(TYPE_URLS.listener, serverListenerName(ip, inbound.port), params, buildServerListener));
    }
  }
  return out;
}

interface ServerListenerParams {
  readonly address: string;
  readonly port: number;
  readonly service: string;
  readonly mtls: boolean;
  /** The inbound's TrafficPermissions (mTLS only). */
  readonly rbac: readonly RbacPolicy[];
}

const NO_POLICIES: readonly RbacPolicy[] = [];

function buildServerListener(p: ServerListenerParams, name: string): EnvoyObject {
  return grpcServerListener({
    name,
    address: p.address,
    port: p.port,
    routeName: names.inboundRoute(p.service),
    virtualHost: p.service,
    httpFilters: p.mtls ? [httpRbacFilter(p.rbac)] : [],
    ...(p.mtls ? { transportSocket: xdsDownstreamTls() } : {}),
  });
}
