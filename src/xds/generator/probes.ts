import type { DataplaneSpec } from '../../core/resources/specs.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { hcmFilter } from '../envoy/http.js';
import { listener } from '../envoy/listeners.js';
import { names, statPrefix } from '../envoy/names.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { MeshSnapshot } from './mesh-snapshot.js';

/** Kuma's default `probes.port` (the port its Kubernetes injector sets). */
export const DEFAULT_PROBES_PORT = 9000;

interface ProbeRoute {
  /** The path the prober asks for (matched exactly). */
  readonly path: string;
  /** The application's own probe path. */
  readonly inboundPath: string;
  /** The inbound's local cluster, when the Dataplane has an inbound for the application port. */
  readonly cluster: string | null;
  readonly inboundPort: number;
}

interface ProbeListenerParams {
  readonly address: string;
  readonly port: number;
  readonly routes: readonly ProbeRoute[];
  readonly transparent: boolean;
}

/**
 * Kuma 1.1 virtual probes (ProbeProxyGenerator): listener `probe:listener` on the Dataplane's address and
 * `probes.port`, whose HTTP routes match each endpoint's `path` exactly (GET only) and rewrite it to
 * `inboundPath` on the local cluster of the inbound whose application port is `inboundPort`; an endpoint
 * without such an inbound answers a redirect to `inboundPort` and `inboundPath` instead. None without `probes`.
 */
export function probeResources(snap: MeshSnapshot, spec: DataplaneSpec): EncodedResource[] {
  const probes = spec.probes;
  if (!probes) return [];
  const net = spec.networking;
  const workloadPorts = new Set((net.inbound ?? []).map((i) => i.servicePort ?? i.port));
  const routes = (probes.endpoints ?? []).map((e) => ({
    path: e.path,
    inboundPath: e.inboundPath,
    inboundPort: e.inboundPort,
    cluster: workloadPorts.has(e.inboundPort) ? names.localCluster(e.inboundPort) : null,
  }));
  const params: ProbeListenerParams = { address: net.address, port: probes.port ?? DEFAULT_PROBES_PORT, routes, transparent: net.transparentProxying !== undefined };
  return [snap.resource(TYPE_URLS.listener, names.probeListener, params, buildProbeListener)];
}

const GET_ONLY = [{ name: ':method', string_match: { exact: 'GET' } }] as const;

function probeRoute(r: ProbeRoute): EnvoyObject {
  const match = { path: r.path, headers: GET_ONLY };
  if (r.cluster === null) return { match, redirect: { port_redirect: r.inboundPort, path_redirect: r.inboundPath } };
  return { match, route: { cluster: r.cluster, regex_rewrite: { pattern: { regex: '.*' }, substitution: r.inboundPath } } };
}

function buildProbeListener(p: ProbeListenerParams, name: string): EnvoyObject {
  const routeConfig = { virtual_hosts: [{ name: 'probe', domains: ['*'], routes: p.routes.map(probeRoute) }] };
  return listener({
    name,
    address: p.address,
    port: p.port,
    direction: 'INBOUND',
    filters: [hcmFilter({ statPrefix: statPrefix(name), routeConfig })],
    // Behind a transparent proxy the prober's connection reaches it through the inbound redirect.
    bindToPort: !p.transparent,
  });
}
