/**
 * TypeScript shapes of the specs that other subsystems read (xDS, DNS, KDS). The zod schemas in
 * ./schemas/ are the runtime truth and must conform to these (`satisfies z.ZodType<...>`).
 * Field names follow Kuma 1.1 proto JSON (lowerCamelCase). Durations are strings like "5s", "1h", "250ms".
 */
export type Tags = Record<string, string>;

export interface Selector {
  match: Tags;
}

export const SERVICE_TAG = 'kuma.io/service';
export const PROTOCOL_TAG = 'kuma.io/protocol';
export const ZONE_TAG = 'kuma.io/zone';

export type Protocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'kafka';
export const PROTOCOLS: readonly Protocol[] = ['http', 'http2', 'grpc', 'tcp', 'kafka'];

// ---- Mesh ----
export interface MeshSpec {
  mtls?: { enabledBackend?: string; backends?: { name: string; type: string; dpCert?: { rotation?: { expiration?: string } }; conf?: Record<string, unknown> }[] };
  tracing?: { defaultBackend?: string; backends?: { name: string; type: string; sampling?: number; conf?: Record<string, unknown> }[] };
  logging?: { defaultBackend?: string; backends?: { name: string; format?: string; type: string; conf?: Record<string, unknown> }[] };
  metrics?: { enabledBackend?: string; backends?: { name: string; type: string; conf?: Record<string, unknown> }[] };
  networking?: { outbound?: { passthrough?: boolean } };
  routing?: { localityAwareLoadBalancing?: boolean };
}

// ---- Dataplane ----
export interface InboundHealth {
  ready: boolean;
}
export interface DataplaneInbound {
  port: number;
  servicePort?: number;
  serviceAddress?: string;
  address?: string;
  tags: Tags;
  health?: InboundHealth;
  serviceProbe?: Record<string, unknown>;
}
export interface DataplaneOutbound {
  address?: string;
  port: number;
  /** Deprecated in Kuma, still accepted: same as tags["kuma.io/service"]. */
  service?: string;
  tags?: Tags;
}
export interface AvailableService {
  tags: Tags;
  instances?: number;
  mesh?: string;
}
export interface DataplaneSpec {
  networking: {
    address: string;
    advertisedAddress?: string;
    inbound?: DataplaneInbound[];
    outbound?: DataplaneOutbound[];
    gateway?: { tags: Tags };
    ingress?: { availableServices?: AvailableService[]; publicAddress?: string; publicPort?: number };
    transparentProxying?: {
      redirectPortInbound?: number;
      redirectPortOutbound?: number;
      redirectPortInboundV6?: number;
      directAccessServices?: string[];
    };
  };
  metrics?: Record<string, unknown>;
  probes?: { port?: number; endpoints?: { inboundPort: number; inboundPath: string; path: string }[] };
}

// ---- ZoneIngress [1.2 shape] ----
export interface ZoneIngressSpec {
  zone?: string;
  networking: { address: string; advertisedAddress?: string; port: number; advertisedPort?: number };
  availableServices?: AvailableService[];
}

// ---- ExternalService ----
export interface DataSource {
  secret?: string;
  file?: string;
  inline?: string;
  inlineString?: string;
}
export interface ExternalServiceSpec {
  networking: {
    address: string;
    tls?: { enabled?: boolean; caCert?: DataSource; clientCert?: DataSource; clientKey?: DataSource; allowRenegotiation?: boolean };
  };
  tags: Tags;
}

// ---- Connection policies (sources/destinations) ----
export interface ConnectionPolicySpec<C = Record<string, unknown>> {
  sources: Selector[];
  destinations: Selector[];
  conf?: C;
}

export type LoadBalancer =
  | { roundRobin: Record<string, never> }
  | { leastRequest: { choiceCount?: number } }
  | { ringHash: { hashFunction?: 'XX_HASH' | 'MURMUR_HASH_2'; minRingSize?: number; maxRingSize?: number } }
  | { random: Record<string, never> }
  | { maglev: Record<string, never> };

export interface TrafficRouteSplit {
  weight: number;
  destination: Tags;
}
export interface TrafficRouteConf {
  split?: TrafficRouteSplit[];
  destination?: Tags;
  loadBalancer?: LoadBalancer;
}
export type TrafficPermissionSpec = ConnectionPolicySpec<never>;
export type TrafficRouteSpec = ConnectionPolicySpec<TrafficRouteConf>;

export interface TimeoutConf {
  connectTimeout?: string;
  tcp?: { idleTimeout?: string };
  http?: { requestTimeout?: string; idleTimeout?: string };
  grpc?: { streamIdleTimeout?: string; maxStreamDuration?: string };
}
export type TimeoutSpec = ConnectionPolicySpec<TimeoutConf>;

export interface RetryBackOff {
  baseInterval?: string;
  maxInterval?: string;
}
export interface RetryConf {
  http?: { numRetries?: number; perTryTimeout?: string; backOff?: RetryBackOff; retriableStatusCodes?: number[] };
  tcp?: { maxConnectAttempts?: number };
  grpc?: { retryOn?: string[]; numRetries?: number; perTryTimeout?: string; backOff?: RetryBackOff };
}
export type RetrySpec = ConnectionPolicySpec<RetryConf>;

/** Policies selected by `selectors` instead of sources/destinations (TrafficTrace, ProxyTemplate). */
export interface SelectorPolicySpec<C = Record<string, unknown>> {
  selectors: Selector[];
  conf?: C;
}

// ---- Secrets ----
export interface SecretSpec {
  /** base64 */
  data: string;
}

// ---- Zone / insights ----
export interface ZoneSpec {
  enabled?: boolean;
}

export interface DiscoveryTypeStats {
  responsesSent: number;
  responsesAcknowledged: number;
  responsesRejected: number;
}
export interface DiscoverySubscription {
  id: string;
  controlPlaneInstanceId: string;
  connectTime: string;
  disconnectTime?: string;
  status: {
    lastUpdateTime?: string;
    total: DiscoveryTypeStats;
    cds?: DiscoveryTypeStats;
    eds?: DiscoveryTypeStats;
    lds?: DiscoveryTypeStats;
    rds?: DiscoveryTypeStats;
  };
  version?: { kumaDp?: Record<string, string>; envoy?: Record<string, string> };
}
export interface DataplaneInsightSpec {
  subscriptions: DiscoverySubscription[];
  mTLS?: Record<string, unknown>;
}

export interface KdsSubscription {
  id: string;
  globalInstanceId: string;
  connectTime: string;
  disconnectTime?: string;
  status: { lastUpdateTime?: string; total: DiscoveryTypeStats; stat: Record<string, DiscoveryTypeStats> };
  version?: { kumaCp?: Record<string, string> };
}
export interface ZoneInsightSpec {
  subscriptions: KdsSubscription[];
}

/** Internal: one row per allocated virtual IP (DNS). Name = the IP with dots replaced by dashes. */
export interface VirtualIPSpec {
  ip: string;
  /** The kuma.io/service the VIP belongs to; absent while the VIP is quarantined after being freed. */
  service?: string;
  /** RFC 3339; set when the service vanished. The VIP is reusable once quarantine has passed. */
  freedAt?: string;
}
