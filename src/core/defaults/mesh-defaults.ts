import type { ResourceTypeName, Spec } from '../resources/model.js';

export interface DefaultPolicy {
  readonly type: ResourceTypeName;
  readonly name: string;
  readonly spec: Spec;
}

const everything = [{ match: { 'kuma.io/service': '*' } }] as const;

/** The policies Kuma creates with every Mesh (pkg/defaults/mesh): allow-all, route-all, default timeout and retry. */
export function meshDefaultPolicies(mesh: string): DefaultPolicy[] {
  return [
    { type: 'TrafficPermission', name: `allow-all-${mesh}`, spec: { sources: everything, destinations: everything } },
    {
      type: 'TrafficRoute',
      name: `route-all-${mesh}`,
      spec: {
        sources: everything,
        destinations: everything,
        conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }], loadBalancer: { roundRobin: {} } },
      },
    },
    {
      type: 'Timeout',
      name: `timeout-all-${mesh}`,
      spec: {
        sources: everything,
        destinations: everything,
        conf: {
          connectTimeout: '5s',
          tcp: { idleTimeout: '3600s' },
          http: { requestTimeout: '15s', idleTimeout: '3600s' },
          grpc: { streamIdleTimeout: '300s' },
        },
      },
    },
    {
      type: 'Retry',
      name: `retry-all-${mesh}`,
      spec: {
        sources: everything,
        destinations: everything,
        conf: {
          http: { numRetries: 5, perTryTimeout: '16s', backOff: { baseInterval: '0.025s', maxInterval: '0.250s' } },
          tcp: { maxConnectAttempts: 5 },
          grpc: { numRetries: 5, perTryTimeout: '16s', backOff: { baseInterval: '0.025s', maxInterval: '0.250s' } },
        },
      },
    },
  ];
}
