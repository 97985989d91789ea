import { isIP } from 'node:net';
import { stringify } from 'yaml';
import { anyOf, encodeEnvoyMessage, type EnvoyObject } from '../envoy/encode.js';
import { toEnvoyJson } from '../envoy/envoy-json.js';
import { toStruct } from '../envoy/struct.js';

export const BOOTSTRAP_TYPE = 'envoy.config.bootstrap.v3.Bootstrap';
export const ADS_CLUSTER = 'ads_cluster';
const DEFAULT_ADMIN_PORT = 9901;

/**
 * The port of Envoy's admin API (127.0.0.1), as Kuma's bootstrap generator picks it: the Dataplane's
 * `networking.admin.port`, else the port kuma-dp asked for (`--admin-port`), else 9901. The port is
 * also sent to the control plane in node metadata `dataplane.admin.port`.
 */
export function bootstrapAdminPort(fromResource: number | undefined, requested: number | undefined): number {
  if (fromResource) return fromResource;
  return requested ?? DEFAULT_ADMIN_PORT;
}

export interface EnvoyBootstrapParams {
  readonly mesh: string;
  readonly name: string;
  /** node.cluster: the Dataplane's service. */
  readonly service: string;
  readonly xdsHost: string;
  readonly xdsPort: number;
  readonly adminPort?: number;
  /** The Dataplane passed inline by kuma-dp, as it sent it (the ADS server registers it on connect). */
  readonly dataplaneResource?: string;
  readonly version?: Readonly<Record<string, unknown>>;
  readonly dnsPort?: number;
  readonly emptyDnsPort?: number;
  readonly dynamicMetadata?: Readonly<Record<string, string>>;
  /** The data-plane token: Envoy sends it as `authorization` initial metadata on the ADS stream (Kuma's template_v3). */
  readonly dataplaneToken?: string;
  /** The CA (PEM) Envoy verifies the xDS server against; set = ADS over TLS (SNI and SAN = xdsHost), as Kuma's template_v3. */
  readonly xdsCaPem?: string;
}

/** The ads_cluster's TLS: the CP's CA, SNI and an exact SAN match on the address Envoy dials. */
function adsTls(host: string, caPem: string): EnvoyObject {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: anyOf('envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', {
      sni: host,
      common_tls_context: {
        alpn_protocols: ['h2'],
        validation_context: {
          trusted_ca: { inline_string: caPem },
          match_typed_subject_alt_names: [{ san_type: isIP(host) ? 'IP_ADDRESS' : 'DNS', matcher: { exact: host } }],
        },
      },
    }),
  };
}

const RUNTIME = { 're2.max_program_size.error_level': 4294967295, 're2.max_program_size.warn_level': 1000 } as const;

/** Envoy v3 bootstrap (Kuma's template_v3): node `<mesh>.<name>`, ADS over `ads_cluster`, over TLS when a CA is given. */
export function envoyBootstrap(p: EnvoyBootstrapParams): EnvoyObject {
  const adminPort = p.adminPort ?? DEFAULT_ADMIN_PORT;
  const metadata: Record<string, unknown> = {
    'dataplane.admin.port': String(adminPort),
    ...(p.dataplaneResource ? { 'dataplane.resource': p.dataplaneResource } : {}),
    ...(p.dnsPort ? { 'dataplane.dns.port': String(p.dnsPort) } : {}),
    ...(p.emptyDnsPort ? { 'dataplane.dns.empty.port': String(p.emptyDnsPort) } : {}),
    ...(p.version ? { version: p.version } : {}),
    ...(p.dynamicMetadata && Object.keys(p.dynamicMetadata).length ? { dynamicMetadata: p.dynamicMetadata } : {}),
  };
  return {
    node: { id: `${p.mesh}.${p.name}`, cluster: p.service, metadata: toStruct(metadata) },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: adminPort } } },
    // Kuma 1.2+: Envoy refuses regexes whose RE2 program is larger than 100 by default; the x-kuma-tags
    // source matchers of FaultInjection and RateLimit easily are (one alternative per source selector).
    layered_runtime: { layers: [{ name: 'kuma', static_layer: toStruct(RUNTIME) }] },
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        set_node_on_first_message_only: true,
        grpc_services: [
          {
            envoy_grpc: { cluster_name: ADS_CLUSTER },
            ...(p.dataplaneToken ? { initial_metadata: [{ key: 'authorization', value: p.dataplaneToken }] } : {}),
          },
        ],
      },
      cds_config: { ads: {}, resource_api_version: 'V3' },
      lds_config: { ads: {}, resource_api_version: 'V3' },
    },
    static_resources: {
      clusters: [
        {
          name: ADS_CLUSTER,
          type: 'STRICT_DNS',
          connect_timeout: { seconds: 1 },
          load_assignment: {
            cluster_name: ADS_CLUSTER,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: p.xdsHost, port_value: p.xdsPort } } } }] }],
          },
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': anyOf('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
              explicit_http_config: { http2_protocol_options: {} },
            }),
          },
          upstream_connection_options: { tcp_keepalive: {} },
          ...(p.xdsCaPem ? { transport_socket: adsTls(p.xdsHost, p.xdsCaPem) } : {}),
        },
      ],
    },
  };
}

/** The bootstrap encoded through the Envoy type (unknown fields refused). */
export function envoyBootstrapBytes(p: EnvoyBootstrapParams): Uint8Array {
  return encodeEnvoyMessage(BOOTSTRAP_TYPE, envoyBootstrap(p));
}

/** Rendered from the encoded message, as Envoy reads bootstrap YAML (proto3 JSON names and forms). */
export function envoyBootstrapYaml(p: EnvoyBootstrapParams): string {
  return stringify(toEnvoyJson(BOOTSTRAP_TYPE, envoyBootstrapBytes(p)), { lineWidth: 0 });
}
