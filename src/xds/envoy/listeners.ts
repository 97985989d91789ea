import { anyOf, type EnvoyObject } from './encode.js';
import { socketAddress } from './clusters.js';

export interface ListenerOptions {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly direction: 'INBOUND' | 'OUTBOUND';
  readonly filters: readonly EnvoyObject[];
  /** TLS of the filter chain (inbound mTLS). */
  readonly transportSocket?: EnvoyObject;
  /** false for listeners reached only through a transparent-proxy redirect. */
  readonly bindToPort?: boolean;
  /** Hand redirected connections to the listener of their original destination. */
  readonly useOriginalDst?: boolean;
  /** Zone ingress: one filter chain per SNI (read by tls_inspector, TLS not terminated) instead of `filters`. */
  readonly sniChains?: readonly { readonly serverName: string; readonly filters: readonly EnvoyObject[] }[];
}

const TLS_INSPECTOR = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: anyOf('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', {}),
} as const;

export function listener(o: ListenerOptions): EnvoyObject {
  return {
    name: o.name,
    address: socketAddress(o.address, o.port),
    traffic_direction: o.direction,
    filter_chains: o.sniChains
      ? o.sniChains.map((c) => ({ filter_chain_match: { server_names: [c.serverName] }, filters: c.filters }))
      : [{ filters: o.filters, ...(o.transportSocket ? { transport_socket: o.transportSocket } : {}) }],
    ...(o.sniChains ? { listener_filters: [TLS_INSPECTOR] } : {}),
    ...(o.bindToPort === false ? { bind_to_port: { value: false } } : {}),
    ...(o.useOriginalDst
      ? {
          use_original_dst: { value: true },
          listener_filters: [
            {
              name: 'envoy.filters.listener.original_dst',
              typed_config: anyOf('envoy.extensions.filters.listener.original_dst.v3.OriginalDst', {}),
            },
          ],
        }
      : {}),
  };
}

/** A proxyless gRPC listener: no address, no filter chains, only the HCM in api_listener. */
export function apiListener(name: string, httpConnectionManager: EnvoyObject): EnvoyObject {
  return {
    name,
    api_listener: { api_listener: anyOf('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', httpConnectionManager) },
  };
}
