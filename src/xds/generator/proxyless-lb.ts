import type { LbSettings } from '../envoy/clusters.js';
import type { ProxylessCapabilities } from './proxyless-client.js';

/** Largest ring size either gRPC client accepts (larger is NACKed by both, gRFC A42). */
export const GRPC_MAX_RING_SIZE = 8_388_608;

const ROUND_ROBIN: Readonly<LbSettings> = { policy: 'ROUND_ROBIN' };

/** The TrafficRoute's load balancer in Kuma's words, for notes. */
const KUMA_NAME: Readonly<Record<LbSettings['policy'], string>> = {
  ROUND_ROBIN: 'roundRobin',
  LEAST_REQUEST: 'leastRequest',
  RING_HASH: 'ringHash',
  RANDOM: 'random',
  MAGLEV: 'maglev',
};

/** What a client gets for a TrafficRoute's load balancer, and why, when that is not what was asked. */
export interface ProxylessLbChoice {
  readonly lb: LbSettings;
  /** Set when the client gets something else than the policy asked for (depends only on the request and `lb`). */
  readonly reason?: string;
}

/**
 * A TrafficRoute load balancer as a proxyless client can have it: ring hash where the client implements it
 * (XX_HASH, the only hash function of gRFC A42, sizes within its limit), round robin for anything else.
 * Neither grpc-js-xds 1.14 nor C-core 1.51 implements least request (gRFC A48: both NACK LEAST_REQUEST;
 * C-core 1.51 registers no least-request policy at all), RANDOM or MAGLEV.
 */
export function proxylessLb(requested: LbSettings, caps: ProxylessCapabilities): ProxylessLbChoice {
  const asked = KUMA_NAME[requested.policy];
  switch (requested.policy) {
    case 'ROUND_ROBIN':
      return { lb: ROUND_ROBIN };
    case 'RING_HASH': {
      if (!caps.ringHash) return { lb: ROUND_ROBIN, reason: `${asked} is not supported by this client` };
      const min = requested.minRingSize !== undefined ? Math.min(requested.minRingSize, GRPC_MAX_RING_SIZE) : undefined;
      const max = requested.maxRingSize !== undefined ? Math.min(requested.maxRingSize, GRPC_MAX_RING_SIZE) : undefined;
      const lb: LbSettings = { policy: 'RING_HASH', hashFunction: 'XX_HASH', ...(min !== undefined ? { minRingSize: min } : {}), ...(max !== undefined ? { maxRingSize: max } : {}) };
      const changes = [
        ...(requested.hashFunction && requested.hashFunction !== 'XX_HASH' ? [`hashFunction ${requested.hashFunction} is not supported by gRPC (XX_HASH used)`] : []),
        ...(min !== requested.minRingSize || max !== requested.maxRingSize ? [`ring sizes above ${GRPC_MAX_RING_SIZE} are refused by gRPC (capped)`] : []),
      ];
      return changes.length ? { lb, reason: changes.join('; ') } : { lb };
    }
    default:
      return { lb: ROUND_ROBIN, reason: `${asked} is not supported by this client` };
  }
}

/** `ringHash` / `roundRobin`: how notes name what a client got. */
export function kumaLbName(lb: LbSettings): string {
  return KUMA_NAME[lb.policy];
}
