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

const UINT32_MAX = 4_294_967_295;

/**
 * Envoy refuses a CLA whose endpoint weights in a locality, or whose locality weights in a priority, sum
 * past uint32 (and protobuf would silently wrap a larger value): weights from ZoneIngress `instances` are
 * each valid uint32s, but several of them are not. When the whole assignment's sum would overflow, every
 * weight is scaled down by the same factor (at least 1), which keeps the proportions.
 */
function weightScale(groups: readonly LocalityGroup[]): (w: number) => number {
  let total = 0;
  for (const g of groups) for (const e of g.endpoints) total += e.weight;
  if (total <= UINT32_MAX) return (w) => w;
  const factor = UINT32_MAX / total;
  return (w) => Math.max(1, Math.floor(w * factor));
}

/**
 * Every LocalityLbEndpoints carries a locality and a load_balancing_weight (the sum of its endpoints'
 * weights): proxyless gRPC clients NACK a missing locality and silently drop localities without weight.
 */
export function clusterLoadAssignment(clusterName: string, groups: readonly LocalityGroup[]): EnvoyObject {
  const scale = weightScale(groups);
  return {
    cluster_name: clusterName,
    endpoints: groups.map((g) => ({
      locality: { zone: g.zone },
      load_balancing_weight: { value: g.endpoints.reduce((sum, e) => sum + scale(e.weight), 0) },
      ...(g.priority ? { priority: g.priority } : {}),
      lb_endpoints: g.endpoints.map((e) => ({
        endpoint: { address: socketAddress(e.address, e.port) },
        load_balancing_weight: { value: scale(e.weight) },
        ...(Object.keys(e.tags).length ? { metadata: e.socketMatch ? lbAndSocketMatchMetadata(e.tags) : lbMetadata(e.tags) } : {}),
      })),
    })),
  };
}
