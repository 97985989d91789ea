/**
 * A read-only view of what the xDS server has sent to connected proxies, for the API's inspect endpoints.
 * Implemented by the xDS server (src/xds/inspect); the API server sees only this interface, so neither
 * imports the other.
 */
export type AckState = 'ACK' | 'NACK' | 'PENDING';

export interface XdsTypeView {
  readonly typeUrl: string;
  /** Version of the last response sent for this type (SotW version_info; delta: system version). */
  readonly version: string;
  readonly state: AckState;
  readonly sentAt: string;
  readonly resources: number;
  /** The last rejection of this type on this stream, kept after a later ACK so operators can see it. */
  readonly lastNack?: { readonly version: string; readonly errorDetail: string; readonly at: string };
}

export interface XdsResourceView {
  readonly typeUrl: string;
  readonly name: string;
  readonly version: string;
  /** The resource as Envoy JSON (proto3 JSON, snake_case, `@type` on Any). */
  readonly config: Record<string, unknown>;
}

export interface ProxyXdsView {
  /** `<mesh>.<name>` */
  readonly proxy: string;
  readonly mesh: string;
  readonly name: string;
  readonly kind: string;
  /** The node's user agent (`gRPC Node Pure JS` `1.14.1`, `envoy` ...): for proxyless clients it decides the load balancers they get. */
  readonly userAgent?: { readonly name: string; readonly version: string };
  readonly connectTime: string;
  readonly types: readonly XdsTypeView[];
  /** What the proxy holds now: the resources of its last response per type (SotW) or accumulated (delta). */
  readonly resources: readonly XdsResourceView[];
}

export interface XdsInspector {
  /** The proxy's current stream, or undefined when it is not connected to this instance. */
  proxy(key: string): ProxyXdsView | undefined;
}
