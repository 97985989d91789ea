import { SERVICE_TAG } from '../../core/resources/specs.js';

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
}

export interface GrpcBootstrap {
  xds_servers: { server_uri: string; channel_creds: { type: string }[]; server_features: string[] }[];
  node: { id: string; cluster: string; locality: { zone: string }; metadata: Record<string, string> };
}

/**
 * Bootstrap for proxyless gRPC clients (GRPC_XDS_BOOTSTRAP / GRPC_XDS_BOOTSTRAP_CONFIG). node.locality
 * is always present: grpc-js-xds fails every RPC without it.
 */
export function grpcBootstrap(p: GrpcBootstrapParams): GrpcBootstrap {
  const host = p.xdsHost.includes(':') && !p.xdsHost.startsWith('[') ? `[${p.xdsHost}]` : p.xdsHost;
  return {
    xds_servers: [{ server_uri: `${host}:${p.xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: {
      id: `${p.mesh}.${p.name}`,
      cluster: p.service,
      locality: { zone: p.zone },
      metadata: {
        ...(p.inlineDataplane ? { 'dataplane.resource': JSON.stringify(inlineGatewayDataplane(p.mesh, p.name, p.service)) } : {}),
        ...(p.dataplaneToken ? { 'dataplane.token': p.dataplaneToken } : {}),
      },
    },
  };
}

/** A Kuma 1.x flat Dataplane: a gateway (no inbound) at 127.0.0.1 tagged with the client's service. */
export function inlineGatewayDataplane(mesh: string, name: string, service: string): Record<string, unknown> {
  return { type: 'Dataplane', mesh, name, networking: { address: '127.0.0.1', gateway: { tags: { [SERVICE_TAG]: service } } } };
}
