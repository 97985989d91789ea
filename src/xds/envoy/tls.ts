import { isIP } from 'node:net';
import { anyOf, type EnvoyObject } from './encode.js';

/**
 * An envoy.config.core.v3.DataSource in the form protobufjs encodes: `inline_bytes` as base64 (protobufjs
 * decodes base64 strings for bytes fields), `inline_string`, or `filename`.
 */
export type EnvoyDataSource = { readonly inline_bytes: string } | { readonly inline_string: string } | { readonly filename: string };

export interface UpstreamTlsOptions {
  /** SNI sent to the upstream (a host name; left out for IP literals). */
  readonly sni?: string;
  /** CA bundle the upstream certificate is verified against; none = not verified. */
  readonly trustedCa?: EnvoyDataSource;
  /** With `trustedCa`: the name (DNS name or IP) the upstream certificate must carry as a subject alt name. */
  readonly subjectAltName?: string;
  /** Client certificate and key, both or neither. */
  readonly clientCert?: { readonly certificateChain: EnvoyDataSource; readonly privateKey: EnvoyDataSource };
  readonly allowRenegotiation?: boolean;
}

export const UPSTREAM_TLS_CONTEXT = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
export const DOWNSTREAM_TLS_CONTEXT = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

/**
 * The `transport_socket` holding a TLS context: `envoy.transport_sockets.tls` with an Upstream- or
 * DownstreamTlsContext (the one shape every TLS socket here has: sidecars, ExternalServices, proxyless gRPC).
 */
export function tlsTransportSocket(contextType: typeof UPSTREAM_TLS_CONTEXT | typeof DOWNSTREAM_TLS_CONTEXT, context: EnvoyObject): EnvoyObject {
  return { name: 'envoy.transport_sockets.tls', typed_config: anyOf(contextType, context) };
}

/** Cluster transport_socket originating TLS to an upstream outside the mesh (ExternalService). */
export function upstreamTlsTransportSocket(o: UpstreamTlsOptions): EnvoyObject {
  const common: EnvoyObject = {
    ...(o.trustedCa
      ? {
          validation_context: {
            trusted_ca: o.trustedCa,
            ...(o.subjectAltName ? { match_typed_subject_alt_names: [{ san_type: isIP(o.subjectAltName) ? 'IP_ADDRESS' : 'DNS', matcher: { exact: o.subjectAltName } }] } : {}),
          },
        }
      : {}),
    ...(o.clientCert ? { tls_certificates: [{ certificate_chain: o.clientCert.certificateChain, private_key: o.clientCert.privateKey }] } : {}),
  };
  return tlsTransportSocket(UPSTREAM_TLS_CONTEXT, {
    common_tls_context: common,
    ...(o.sni ? { sni: o.sni } : {}),
    ...(o.allowRenegotiation ? { allow_renegotiation: true } : {}),
  });
}
