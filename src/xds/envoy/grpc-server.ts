import { socketAddress } from './clusters.js';
import { anyOf, type EnvoyObject } from './encode.js';
import { HCM_TYPE, ROUTER_FILTER } from './http.js';
import { statPrefix } from './names.js';

export interface GrpcServerListenerOptions {
  readonly name: string;
  /** The IP the server binds (gRPC compares it with the bound address). */
  readonly address: string;
  readonly port: number;
  readonly routeName: string;
  readonly virtualHost: string;
  /** HTTP filters before the router (e.g. RBAC). */
  readonly httpFilters: readonly EnvoyObject[];
  readonly transportSocket?: EnvoyObject;
}

/**
 * The Listener of an xDS-enabled gRPC server (gRFC A36): its address, one filter chain without
 * filter_chain_match (grpc-js never matches a chain whose match leaves transport_protocol empty) holding
 * exactly one HCM, routes inline with non_forwarding_action for every RPC (any other action fails RPCs),
 * router last. No listener_filters, use_original_dst or xff settings (NACKed).
 */
export function grpcServerListener(o: GrpcServerListenerOptions): EnvoyObject {
  const hcm = {
    stat_prefix: statPrefix(o.name),
    route_config: {
      name: o.routeName,
      virtual_hosts: [{ name: o.virtualHost, domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }],
    },
    http_filters: [...o.httpFilters, ROUTER_FILTER],
  };
  return {
    name: o.name,
    address: socketAddress(o.address, o.port),
    filter_chains: [
      {
        name: statPrefix(o.name),
        filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: anyOf(HCM_TYPE, hcm) }],
        ...(o.transportSocket ? { transport_socket: o.transportSocket } : {}),
      },
    ],
  };
}
