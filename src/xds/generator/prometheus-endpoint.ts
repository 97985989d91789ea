import { isIPv6 } from 'node:net';
import type { Resource } from '../../core/resources/model.js';
import { prometheusEndpoint, usedInterface } from '../../core/resources/prometheus-endpoint.js';
import type { DataplaneSpec } from '../../core/resources/specs.js';
import { socketAddress, staticCluster } from '../envoy/clusters.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { hcmFilter } from '../envoy/http.js';
import { inboundMtlsTransportSocket } from '../envoy/mesh-tls.js';
import { networkRbacFilter, type RbacPolicy } from '../envoy/rbac.js';
import { statPrefix } from '../envoy/names.js';
import { TYPE_URLS } from '../resource.js';
import { inboundRbacPolicies, meshCa } from './mesh-mtls.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { DEFAULT_CONNECT_TIMEOUT } from './policy-conf.js';
import type { ResourceSet } from './resource-set.js';

/** Kuma's names (pkg/xds/envoy/names): the metrics listener and the cluster of Envoy's own admin API. */
export const PROMETHEUS_LISTENER = 'kuma:metrics:prometheus';
export const ENVOY_ADMIN_CLUSTER = 'kuma:envoy:admin';
/** Envoy's admin endpoint serving its stats in the Prometheus text format. */
const STATS_PATH = '/stats/prometheus';
/** Envoy's admin API listens on loopback only (the bootstrap says so); node metadata could not move it elsewhere. */
const ADMIN_ADDRESS = '127.0.0.1';

interface PrometheusListenerParams {
  readonly address: string;
  readonly port: number;
  readonly path: string;
  /** mTLS on and not skipped: the mesh whose client certificates the second chain requires. */
  readonly mtlsMesh: string | null;
  readonly rbac: readonly RbacPolicy[] | null;
}

/**
 * Kuma's PrometheusEndpointGenerator and the admin cluster of its AdminProxyGenerator: with a prometheus
 * metrics backend enabled on the mesh, the listener `kuma:metrics:prometheus` on the Dataplane's address and
 * the backend's port (the Dataplane's `metrics` override merged in) routes `<path>` to Envoy's admin API
 * (`kuma:envoy:admin`, 127.0.0.1:<admin port>) rewritten to `/stats/prometheus`. Under mesh mTLS (unless
 * `skipMTLS`) it takes mesh mTLS clients allowed by TrafficPermission on the backend's tags, plus plaintext
 * from the Dataplane's own address (a Prometheus beside it). Nothing is added without an admin port (the
 * proxy did not tell it in its node metadata `dataplane.admin.port`) or when the port would shadow an inbound
 * or outbound of the Dataplane (as Kuma; the monitoring assignment server logs that case).
 */
export function addPrometheusEndpoint(snap: MeshSnapshot, set: ResourceSet, dp: Resource<DataplaneSpec>, adminPort: number | undefined): void {
  const endpoint = prometheusEndpoint(snap.meshSpec, dp.spec);
  if (!endpoint || !adminPort) return;
  const address = dp.spec.networking.address;
  if (usedInterface(dp.spec, address, endpoint.port) !== undefined) return;
  const mtls = meshCa(snap) !== undefined && !endpoint.skipMTLS;
  set.add(snap.resource(TYPE_URLS.cluster, ENVOY_ADMIN_CLUSTER, { port: adminPort }, buildAdminCluster));
  const params: PrometheusListenerParams = {
    address,
    port: endpoint.port,
    path: endpoint.path,
    mtlsMesh: mtls ? snap.mesh : null,
    rbac: mtls ? inboundRbacPolicies(snap, endpoint.tags) : null,
  };
  set.add(snap.resource(TYPE_URLS.listener, PROMETHEUS_LISTENER, params, buildPrometheusListener));
}

function buildAdminCluster(p: { readonly port: number }, name: string): EnvoyObject {
  return staticCluster(name, ADMIN_ADDRESS, p.port, DEFAULT_CONNECT_TIMEOUT, false);
}

function statsFilter(name: string, path: string): EnvoyObject {
  return hcmFilter({
    statPrefix: statPrefix(name),
    routeConfig: {
      validate_clusters: { value: false },
      virtual_hosts: [{ name, domains: ['*'], routes: [{ match: { prefix: path }, route: { cluster: ENVOY_ADMIN_CLUSTER, prefix_rewrite: STATS_PATH } }] }],
    },
  });
}

function buildPrometheusListener(p: PrometheusListenerParams, name: string): EnvoyObject {
  const chains: EnvoyObject[] = [];
  if (p.mtlsMesh !== null) {
    // A Prometheus on the Dataplane's own host scrapes without a mesh certificate (Kuma 1.1).
    const hostBits = isIPv6(p.address) ? 128 : 32;
    chains.push({ filter_chain_match: { source_prefix_ranges: [{ address_prefix: p.address, prefix_len: { value: hostBits } }] }, filters: [statsFilter(name, p.path)] });
    chains.push({
      filters: [networkRbacFilter(`${statPrefix(name)}.`, p.rbac ?? []), statsFilter(name, p.path)],
      transport_socket: inboundMtlsTransportSocket(p.mtlsMesh),
    });
  } else {
    chains.push({ filters: [statsFilter(name, p.path)] });
  }
  return { name, address: socketAddress(p.address, p.port), traffic_direction: 'INBOUND', filter_chains: chains };
}
