import type { DnsClusterOptions, DnsEndpoint } from '../envoy/clusters.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { upstreamTlsTransportSocket } from '../envoy/tls.js';
import type { ExternalServiceGroup } from './external-services.js';

/** Kuma's tag naming the ExternalService an endpoint comes from (the key its transport socket match is picked by). */
export const EXTERNAL_SERVICE_NAME_TAG = 'kuma.io/external-service-name';

/**
 * Endpoints and TLS of the cluster of a service's ExternalServices. When they all connect alike (one
 * ExternalService, or several with the same TLS or none) the TLS is the cluster's `transport_socket`.
 * When TLS differs between them (on for some, another CA, client certificate, SNI or name to verify),
 * each TLS endpoint gets its own `transport_socket_matches` entry, picked by its
 * `envoy.transport_socket_match` metadata `kuma.io/external-service-name: <name>` (as Kuma 1.x,
 * client_side_tls_configurer.go); endpoints without TLS match none and connect in plain text.
 */
export function externalClusterEndpoints(group: ExternalServiceGroup): Pick<DnsClusterOptions, 'endpoints' | 'transportSocket' | 'transportSocketMatches'> {
  const sockets = group.endpoints.map((e) => (e.tls ? upstreamTlsTransportSocket(e.tls) : undefined));
  const texts = new Set(sockets.map((s) => JSON.stringify(s ?? null)));
  if (texts.size <= 1) {
    const endpoints = group.endpoints.map((e): DnsEndpoint => ({ address: e.host, port: e.port, tags: e.tags }));
    return { endpoints, ...(sockets[0] ? { transportSocket: sockets[0] } : {}) };
  }
  const endpoints: DnsEndpoint[] = [];
  const transportSocketMatches: { name: string; match: Record<string, string>; transportSocket: EnvoyObject }[] = [];
  group.endpoints.forEach((e, i) => {
    const socket = sockets[i];
    if (!socket) {
      endpoints.push({ address: e.host, port: e.port, tags: e.tags });
      return;
    }
    const match = { [EXTERNAL_SERVICE_NAME_TAG]: e.name };
    endpoints.push({ address: e.host, port: e.port, tags: e.tags, socketMatch: match });
    transportSocketMatches.push({ name: e.name, match, transportSocket: socket });
  });
  return { endpoints, transportSocketMatches };
}
