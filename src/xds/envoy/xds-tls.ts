import type { EnvoyObject } from './encode.js';
import { DOWNSTREAM_TLS_CONTEXT, tlsTransportSocket, UPSTREAM_TLS_CONTEXT } from './tls.js';

/**
 * gRFC A29 TLS for proxyless gRPC: certificates come from certificate-provider instances declared in the
 * client's bootstrap (never inline, never SDS as for sidecars: both gRPC clients NACK those). One
 * `file_watcher` instance feeds both the workload identity (cert + key) and the mesh CA.
 */
export const CERT_PROVIDER_INSTANCE = 'kuma-mesh';

/** The bootstrap's certificates: identity and CA from the one provider instance. */
function providerTlsContext(validation: EnvoyObject): EnvoyObject {
  return {
    tls_certificate_provider_instance: { instance_name: CERT_PROVIDER_INSTANCE },
    validation_context: { ca_certificate_provider_instance: { instance_name: CERT_PROVIDER_INSTANCE }, ...validation },
  };
}

/**
 * Cluster transport_socket of a proxyless client: present its workload certificate, verify the server
 * against the mesh CA and its SPIFFE id. Only fields both clients accept (no tls_params, no legacy
 * validation_context_certificate_provider_instance).
 */
export function xdsUpstreamTls(expectedSan: string): EnvoyObject {
  return tlsTransportSocket(UPSTREAM_TLS_CONTEXT, { common_tls_context: providerTlsContext({ match_subject_alt_names: [{ exact: expectedSan }] }) });
}

/**
 * Filter-chain transport_socket of an xDS-enabled gRPC server (A36): serve the workload certificate and
 * require a client certificate issued by the mesh CA (mTLS). No server-side SAN matchers (C-core NACKs
 * them): who may call is the RBAC filter's decision.
 */
export function xdsDownstreamTls(): EnvoyObject {
  return tlsTransportSocket(DOWNSTREAM_TLS_CONTEXT, { require_client_certificate: { value: true }, common_tls_context: providerTlsContext({}) });
}
