import type { EnvoyObject } from './encode.js';
import { socketAddress } from './clusters.js';
import { lbAndSocketMatchMetadata, lbMetadata } from './struct.js';

export interface LbEndpoint {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  /** Tags for subset load balancing (`envoy.lb` metadata), kuma.io/service excluded. */
  readonly tags: Readonly<Record<string, string>>;
  /** Also `envoy.transport_socket_match` metadata (mesh mTLS: the cluster picks the SNI of the endpoint's subset). */
  readonly socketMatch?: boolean;
}

export interface LocalityGroup {
  readonly zone: string;
  readonly priority: number;
  readonly endpoints: readonly LbEndpoint[];
}

/**
 * Every LocalityLbEndpoints carries a locality and a load_balancing_weight (the sum of its endpoints'
 * weights): proxyless gRPC clients NACK a missing locality and silently drop localities without weight.
 */
export function clusterLoadAssignment(clusterName: string, groups: readonly LocalityGroup[]): EnvoyObject {
  return {
    cluster_name: clusterName,
    endpoints: groups.map((g) => ({
      locality: { zone: g.zone },
      load_balancing_weight: { value: g.endpoints.reduce((sum, e) => sum + e.weight, 0) },
      ...(g.priority ? { priority: g.priority } : {}),
      lb_endpoints: g.endpoints.map((e) => ({
        endpoint: { address: socketAddress(e.address, e.port) },
        load_balancing_weight: { value: e.weight },
        ...(Object.keys(e.tags).length ? { metadata: e.socketMatch ? lbAndSocketMatchMetadata(e.tags) : lbMetadata(e.tags) } : {}),
      })),
    })),
  };
}
