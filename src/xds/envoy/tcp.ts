import { anyOf, type EnvoyObject } from './encode.js';
import type { DurationValue } from './duration.js';
import type { WeightedTarget } from './http.js';
import { lbMetadata } from './struct.js';

export interface TcpProxyOptions {
  readonly statPrefix: string;
  readonly targets: readonly WeightedTarget[];
  readonly idleTimeout?: DurationValue;
  readonly maxConnectAttempts?: number;
  /** `access_log` (TrafficLog), see access-log.ts. */
  readonly accessLog?: readonly EnvoyObject[];
}

export function tcpProxyFilter(o: TcpProxyOptions): EnvoyObject {
  const [first] = o.targets;
  const single = o.targets.length === 1 && first && !first.subset;
  const config: EnvoyObject = {
    stat_prefix: o.statPrefix,
    ...(single
      ? { cluster: first.cluster }
      : {
          weighted_clusters: {
            clusters: o.targets.map((t) => ({
              name: t.cluster,
              weight: t.weight,
              ...(t.subset ? { metadata_match: lbMetadata(t.subset) } : {}),
            })),
          },
        }),
    ...(o.idleTimeout ? { idle_timeout: o.idleTimeout } : {}),
    ...(o.maxConnectAttempts ? { max_connect_attempts: { value: o.maxConnectAttempts } } : {}),
    ...(o.accessLog?.length ? { access_log: o.accessLog } : {}),
  };
  return { name: 'envoy.filters.network.tcp_proxy', typed_config: anyOf('envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', config) };
}
