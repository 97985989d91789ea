import { join } from 'node:path/posix';
import { SERVICE_TAG } from '../../core/resources/specs.js';
import { CERT_PROVIDER_INSTANCE } from '../envoy/xds-tls.js';
import { SERVER_LISTENER_TEMPLATE } from '../generator/proxyless-server.js';
import { PROXY_KIND_METADATA } from '../server/node-identity.js';

export interface GrpcBootstrapParams {
  readonly mesh: string;
  readonly name: string;
  readonly service: string;
  readonly xdsHost: string;
  readonly xdsPort: number;
  readonly zone: string;
  /** True when no Dataplane mesh/name exists: one is passed inline so the ADS server registers it on connect. */
  readonly inlineDataplane: boolean;
  /** Sent in node metadata `dataplane.token`: gRPC's bootstrap has no per-call credentials for the xDS server. */
  readonly dataplaneToken?: string;
  /** With mesh mTLS: the directory holding the workload's cert.pem, key.pem and the mesh's ca.pem. */
  readonly certDir?: string;
  /**
   * TLS to the xDS server. The only TLS channel credentials grpc-js-xds 1.14 and C-core 1.51 bootstraps know is
   * `google_default`: TLS verified against GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (the CP's CA), plus Google
   * application-default call credentials, which the client must find (GOOGLE_APPLICATION_CREDENTIALS) and whose
   * `authorization: Bearer` header the CP ignores. Neither accepts a `tls` type.
   */
  readonly tls?: boolean;
}

/** File names in the certificate directory (what GET /bootstrap/grpc/certs returns, README). */
export const CERT_FILES = { certificate: 'cert.pem', privateKey: 'key.pem', ca: 'ca.pem' } as const;

interface FileWatcherProvider {
  plugin_name: 'file_watcher';
  config: { certificate_file: string; private_key_file: string; ca_certificate_file: string; refresh_interval: string };
}

export interface GrpcBootstrap {
  xds_servers: { server_uri: string; channel_creds: { type: string }[]; server_features: string[] }[];
  node: { id: string; cluster: string; locality: { zone: string }; metadata: Record<string, string> };
  server_listener_resource_name_template: string;
  certificate_providers?: Record<string, FileWatcherProvider>;
}

/**
 * Bootstrap for proxyless gRPC clients and xDS-enabled servers (GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG).
 * node.locality is always present (grpc-js-xds fails every RPC without it); node metadata states the kind;
 * server_listener_resource_name_template lets servers find their Listener (gRFC A36, no default); with
 * `certDir` a file_watcher certificate provider (gRFC A29) that the TLS config of an mTLS mesh names
 * (refresh_interval is mandatory for grpc-js; files are re-read so renewed certificates are picked up).
 */
export function grpcBootstrap(p: GrpcBootstrapParams): GrpcBootstrap {
  const host = p.xdsHost.includes(':') && !p.xdsHost.startsWith('[') ? `[${p.xdsHost}]` : p.xdsHost;
  return {
    xds_servers: [{ server_uri: `${host}:${p.xdsPort}`, channel_creds: [{ type: p.tls ? 'google_default' : 'insecure' }], server_features: ['xds_v3'] }],
    node: {
      id: `${p.mesh}.${p.name}`,
      cluster: p.service,
      locality: { zone: p.zone },
      metadata: {
        [PROXY_KIND_METADATA]: 'proxyless',
        ...(p.inlineDataplane ? { 'dataplane.resource': JSON.stringify(inlineGatewayDataplane(p.mesh, p.name, p.service)) } : {}),
        ...(p.dataplaneToken ? { 'dataplane.token': p.dataplaneToken } : {}),
      },
    },
    server_listener_resource_name_template: SERVER_LISTENER_TEMPLATE,
    ...(p.certDir !== undefined
      ? {
          certificate_providers: {
            [CERT_PROVIDER_INSTANCE]: {
              plugin_name: 'file_watcher',
              config: {
                certificate_file: join(p.certDir, CERT_FILES.certificate),
                private_key_file: join(p.certDir, CERT_FILES.privateKey),
                ca_certificate_file: join(p.certDir, CERT_FILES.ca),
                refresh_interval: '60s',
              },
            },
          },
        }
      : {}),
  };
}

/** A Kuma 1.x flat Dataplane: a gateway (no inbound) at 127.0.0.1 tagged with the client's service. */
export function inlineGatewayDataplane(mesh: string, name: string, service: string): Record<string, unknown> {
  return { type: 'Dataplane', mesh, name, networking: { address: '127.0.0.1', gateway: { tags: { [SERVICE_TAG]: service } } } };
}
