import { adsConfigSource } from './clusters.js';
import { anyOf, type EnvoyObject } from './encode.js';
import { UPSTREAM_TLS_CONTEXT } from './tls.js';

const DOWNSTREAM_TLS_CONTEXT = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

/** Kuma's SDS secret names [1.5+]: both delivered inline over ADS. */
export const meshSecretNames = {
  identity: (mesh: string): string => `identity_cert:secret:${mesh}`,
  ca: (mesh: string): string => `mesh_ca:secret:${mesh}`,
} as const;

/** The proxy's workload certificate and key (PEM). */
export function identitySecret(mesh: string, certPem: string, keyPem: string): EnvoyObject {
  return {
    name: meshSecretNames.identity(mesh),
    tls_certificate: {
      certificate_chain: { inline_bytes: Buffer.from(certPem).toString('base64') },
      private_key: { inline_bytes: Buffer.from(keyPem).toString('base64') },
    },
  };
}

/** The mesh CA certificate peers are verified against. */
export function meshCaSecret(mesh: string, caPem: string): EnvoyObject {
  return { name: meshSecretNames.ca(mesh), validation_context: { trusted_ca: { inline_bytes: Buffer.from(caPem).toString('base64') } } };
}

function sds(name: string): EnvoyObject {
  return { name, sds_config: adsConfigSource() };
}

/** Identity certificate from SDS, peer validated against the mesh CA from SDS with the given URI SAN matcher. */
function meshCommonTlsContext(mesh: string, san: { exact: string } | { prefix: string }): EnvoyObject {
  return {
    tls_certificate_sds_secret_configs: [sds(meshSecretNames.identity(mesh))],
    combined_validation_context: {
      default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: san }] },
      validation_context_sds_secret_config: sds(meshSecretNames.ca(mesh)),
    },
  };
}

/** Inbound: terminate mTLS, require a client certificate of the mesh (`spiffe://<mesh>/` prefix). */
export function inboundMtlsTransportSocket(mesh: string): EnvoyObject {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: anyOf(DOWNSTREAM_TLS_CONTEXT, {
      common_tls_context: meshCommonTlsContext(mesh, { prefix: `spiffe://${mesh}/` }),
      require_client_certificate: { value: true },
    }),
  };
}

/**
 * Kuma's SNI for a mesh service: `<service>{mesh=<mesh>}`, extra tags after the mesh sorted by key
 * (`backend{mesh=default,version=v1}`). Zone ingresses route on it.
 */
export function meshSni(service: string, mesh: string, tags: Readonly<Record<string, string>> = {}): string {
  const extra = Object.keys(tags)
    .filter((k) => k !== 'kuma.io/service')
    .sort()
    .map((k) => `,${k}=${tags[k]}`)
    .join('');
  return `${service}{mesh=${mesh}${extra}}`;
}

/** Outbound: originate mTLS to `service` with Kuma's SNI, accepting only `spiffe://<mesh>/<service>`. */
export function outboundMtlsTransportSocket(mesh: string, service: string, tags?: Readonly<Record<string, string>>): EnvoyObject {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: anyOf(UPSTREAM_TLS_CONTEXT, {
      common_tls_context: meshCommonTlsContext(mesh, { exact: `spiffe://${mesh}/${service}` }),
      sni: meshSni(service, mesh, tags),
    }),
  };
}
