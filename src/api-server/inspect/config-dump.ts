import type { ProxyXdsView, XdsResourceView } from '../../core/inspect/xds-inspector.js';

const ADMIN = 'type.googleapis.com/envoy.admin.v3';

/** Per Envoy type: the admin ConfigDump section it goes into, and how Envoy's /config_dump wraps one resource. */
const SECTIONS: Readonly<Record<string, { dump: string; list: string; wrap: (r: XdsResourceView) => Record<string, unknown> }>> = {
  'type.googleapis.com/envoy.config.listener.v3.Listener': {
    dump: 'ListenersConfigDump',
    list: 'dynamic_listeners',
    wrap: (r) => ({ name: r.name, active_state: { version_info: r.version, listener: r.config } }),
  },
  'type.googleapis.com/envoy.config.cluster.v3.Cluster': { dump: 'ClustersConfigDump', list: 'dynamic_active_clusters', wrap: (r) => ({ version_info: r.version, cluster: r.config }) },
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': {
    dump: 'RoutesConfigDump',
    list: 'dynamic_route_configs',
    wrap: (r) => ({ version_info: r.version, route_config: r.config }),
  },
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment': {
    dump: 'EndpointsConfigDump',
    list: 'dynamic_endpoint_configs',
    wrap: (r) => ({ version_info: r.version, endpoint_config: r.config }),
  },
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret': {
    dump: 'SecretsConfigDump',
    list: 'dynamic_active_secrets',
    wrap: (r) => ({ name: r.name, version_info: r.version, secret: r.config }),
  },
};

/**
 * What `/meshes/{mesh}/dataplanes/{name}/xds` answers: the resources the proxy holds, grouped like Envoy's
 * admin `/config_dump` (`configs[]` of `*ConfigDump` with `@type`), plus `xds`: per type the version sent,
 * ACK/NACK/PENDING and the last NACK's error detail.
 */
export function configDump(view: ProxyXdsView): Record<string, unknown> {
  const sections = new Map<string, Record<string, unknown>[]>();
  for (const r of view.resources) {
    const s = SECTIONS[r.typeUrl];
    if (!s) continue;
    let list = sections.get(r.typeUrl);
    if (!list) sections.set(r.typeUrl, (list = []));
    list.push(s.wrap(r));
  }
  const configs = Object.entries(SECTIONS)
    .filter(([typeUrl]) => sections.has(typeUrl))
    .map(([typeUrl, s]) => ({ '@type': `${ADMIN}.${s.dump}`, [s.list]: sections.get(typeUrl) }));
  return { proxy: view.proxy, mesh: view.mesh, name: view.name, kind: view.kind, ...(view.userAgent ? { userAgent: view.userAgent } : {}), connectTime: view.connectTime, xds: view.types, configs };
}
