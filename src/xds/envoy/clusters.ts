import { isIP } from 'node:net';
import { anyOf, type EnvoyObject } from './encode.js';
import type { DurationValue } from './duration.js';
import { stringStruct } from './struct.js';

export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RING_HASH' | 'RANDOM' | 'MAGLEV';

export interface LbSettings {
  readonly policy: LbPolicy;
  readonly choiceCount?: number;
  readonly hashFunction?: 'XX_HASH' | 'MURMUR_HASH_2';
  readonly minRingSize?: number;
  readonly maxRingSize?: number;
}

export interface EdsClusterOptions {
  readonly name: string;
  readonly connectTimeout: DurationValue;
  readonly lb: LbSettings;
  /** Upstream speaks HTTP/2 (http2 and grpc services behind a sidecar). */
  readonly http2?: boolean;
  /** One subset selector per distinct key set used by TrafficRoute splits. */
  readonly subsetKeys?: readonly (readonly string[])[];
  readonly healthChecks?: readonly EnvoyObject[];
  /** Panic threshold and fail-traffic-on-panic (HealthCheck). */
  readonly commonLbConfig?: EnvoyObject;
  readonly circuitBreakers?: EnvoyObject;
  readonly outlierDetection?: EnvoyObject;
  /** TLS to the upstream (mesh mTLS, ExternalService TLS). */
  readonly transportSocket?: EnvoyObject;
  /** Per-subset TLS (SNI with the subset's tags), picked by endpoint `envoy.transport_socket_match` metadata. */
  readonly transportSocketMatches?: readonly { readonly name: string; readonly match: Readonly<Record<string, string>>; readonly transportSocket: EnvoyObject }[];
}

const ADS_CONFIG_SOURCE = { ads: {}, resource_api_version: 'V3' } as const;

export function adsConfigSource(): EnvoyObject {
  return ADS_CONFIG_SOURCE;
}

/** A cluster whose endpoints come over ADS as a ClusterLoadAssignment of the same name. */
export function edsCluster(o: EdsClusterOptions): EnvoyObject {
  return {
    name: o.name,
    type: 'EDS',
    eds_cluster_config: { eds_config: ADS_CONFIG_SOURCE },
    connect_timeout: o.connectTimeout,
    ...upstreamPolicyFields(o),
  };
}

/** Load balancing, subsets, protocol and resilience policies: the same for mesh and external clusters. */
function upstreamPolicyFields(o: EdsClusterOptions): EnvoyObject {
  return {
    ...lbFields(o.lb),
    ...(o.subsetKeys?.length
      ? { lb_subset_config: { fallback_policy: 'ANY_ENDPOINT', subset_selectors: o.subsetKeys.map((keys) => ({ keys: [...keys] })) } }
      : {}),
    ...(o.http2 ? http2Options() : {}),
    ...(o.healthChecks?.length ? { health_checks: o.healthChecks } : {}),
    ...(o.commonLbConfig ? { common_lb_config: o.commonLbConfig } : {}),
    ...(o.circuitBreakers ? { circuit_breakers: o.circuitBreakers } : {}),
    ...(o.outlierDetection ? { outlier_detection: o.outlierDetection } : {}),
    ...(o.transportSocket ? { transport_socket: o.transportSocket } : {}),
    ...(o.transportSocketMatches?.length
      ? { transport_socket_matches: o.transportSocketMatches.map((m) => ({ name: m.name, match: stringStruct(m.match), transport_socket: m.transportSocket })) }
      : {}),
  };
}

/** An upstream outside the mesh: a host name (resolved by Envoy) or an IP literal. */
export interface DnsEndpoint {
  readonly address: string;
  readonly port: number;
  /** Its tags (kuma.io/service excluded): `envoy.lb` metadata, what `subsetKeys` match. */
  readonly tags: Readonly<Record<string, string>>;
  /** `envoy.transport_socket_match` metadata: which of `transportSocketMatches` the connection uses. */
  readonly socketMatch?: Readonly<Record<string, string>>;
}

export interface DnsClusterOptions extends EdsClusterOptions {
  readonly endpoints: readonly DnsEndpoint[];
}

/**
 * A cluster outside the mesh (ExternalServices): STATIC when every endpoint is an IP literal, else STRICT_DNS
 * (which takes IP literals too), its endpoints inline in `load_assignment` (no EDS).
 */
export function dnsCluster(o: DnsClusterOptions): EnvoyObject {
  return {
    name: o.name,
    type: o.endpoints.every((e) => isIP(e.address)) ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: o.connectTimeout,
    load_assignment: {
      cluster_name: o.name,
      endpoints: [{ lb_endpoints: o.endpoints.map(dnsLbEndpoint) }],
    },
    ...upstreamPolicyFields(o),
  };
}

function dnsLbEndpoint(e: DnsEndpoint): EnvoyObject {
  const filterMetadata: EnvoyObject = {
    ...(Object.keys(e.tags).length ? { 'envoy.lb': stringStruct(e.tags) } : {}),
    ...(e.socketMatch ? { 'envoy.transport_socket_match': stringStruct(e.socketMatch) } : {}),
  };
  return { endpoint: { address: socketAddress(e.address, e.port) }, ...(Object.keys(filterMetadata).length ? { metadata: { filter_metadata: filterMetadata } } : {}) };
}

/** The local application behind an inbound: STATIC, one endpoint. */
export function staticCluster(name: string, address: string, port: number, connectTimeout: DurationValue, http2: boolean): EnvoyObject {
  return {
    name,
    type: 'STATIC',
    connect_timeout: connectTimeout,
    lb_policy: 'ROUND_ROBIN',
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(address, port) } }] }],
    },
    ...(http2 ? http2Options() : {}),
  };
}

/** Transparent-proxy passthrough: forward to the original destination of the redirected connection. */
export function originalDstCluster(name: string, connectTimeout: DurationValue, upstreamBindAddress?: string): EnvoyObject {
  return {
    name,
    type: 'ORIGINAL_DST',
    lb_policy: 'CLUSTER_PROVIDED',
    connect_timeout: connectTimeout,
    ...(upstreamBindAddress ? { upstream_bind_config: { source_address: { address: upstreamBindAddress, port_value: 0 } } } : {}),
  };
}

export function socketAddress(address: string, port: number): EnvoyObject {
  return { socket_address: { address, port_value: port } };
}

function lbFields(lb: LbSettings): EnvoyObject {
  switch (lb.policy) {
    case 'LEAST_REQUEST':
      return { lb_policy: 'LEAST_REQUEST', ...(lb.choiceCount ? { least_request_lb_config: { choice_count: { value: lb.choiceCount } } } : {}) };
    case 'RING_HASH':
      return {
        lb_policy: 'RING_HASH',
        ring_hash_lb_config: {
          hash_function: lb.hashFunction ?? 'XX_HASH',
          ...(lb.minRingSize ? { minimum_ring_size: { value: lb.minRingSize } } : {}),
          ...(lb.maxRingSize ? { maximum_ring_size: { value: lb.maxRingSize } } : {}),
        },
      };
    default:
      return { lb_policy: lb.policy };
  }
}

function http2Options(): EnvoyObject {
  return {
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': anyOf('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
        explicit_http_config: { http2_protocol_options: {} },
      }),
    },
  };
}
