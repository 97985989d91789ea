/**
 * The unit the xDS server deals in: an Envoy resource already encoded to protobuf bytes, with a
 * content-hash version. Generators produce these (encoding once per distinct resource, sharing the bytes
 * between proxies); the snapshot cache and ADS server only compare versions and write bytes.
 */
export interface EncodedResource {
  readonly typeUrl: TypeUrl;
  readonly name: string;
  /** Content hash of `bytes` (stable across restarts). */
  readonly version: string;
  readonly bytes: Uint8Array;
}

export const TYPE_URLS = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type TypeUrl = (typeof TYPE_URLS)[keyof typeof TYPE_URLS];

/** Push order for ADS make-before-break: CDS -> EDS -> LDS -> RDS (secrets first: clusters reference them). */
export const PUSH_ORDER: readonly TypeUrl[] = [
  TYPE_URLS.secret,
  TYPE_URLS.cluster,
  TYPE_URLS.clusterLoadAssignment,
  TYPE_URLS.listener,
  TYPE_URLS.routeConfiguration,
];
