import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { SERVICE_TAG, type AvailableService, type Tags } from '../../core/resources/specs.js';
import { edsCluster } from '../envoy/clusters.js';
import { encodeResource, type EnvoyObject } from '../envoy/encode.js';
import { listener } from '../envoy/listeners.js';
import { meshSni } from '../envoy/mesh-tls.js';
import { names, statPrefix } from '../envoy/names.js';
import { tcpProxyFilter } from '../envoy/tcp.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { loadAssignment } from './load-assignment.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { DEFAULT_CONNECT_TIMEOUT } from './policy-conf.js';
import { ResourceSet } from './resource-set.js';

/** Where a zone ingress listens and what it offers: from a ZoneIngress, or a Kuma 1.1 ingress Dataplane. */
export interface IngressProxy {
  readonly address: string;
  readonly port: number;
  readonly availableServices: readonly AvailableService[];
}

export function ingressOfZoneIngress(r: ResourceOf<'ZoneIngress'>): IngressProxy {
  const spec = r.spec;
  return { address: spec.networking.address, port: spec.networking.port, availableServices: spec.availableServices ?? [] };
}

export function ingressOfDataplane(r: ResourceOf<'Dataplane'>): IngressProxy | undefined {
  const net = r.spec.networking;
  const inbound = net.inbound?.[0];
  if (!net.ingress || !inbound) return undefined;
  return {
    address: inbound.address ?? net.address,
    port: inbound.port,
    availableServices: (net.ingress.availableServices ?? []).map((a) => ({ ...a, mesh: a.mesh ?? r.meta.mesh })),
  };
}

interface Chain {
  readonly sni: string;
  readonly cluster: string;
  readonly subset?: Tags;
}

/**
 * A zone ingress (Kuma's ingress generator): listener `inbound:<address>:<port>` with tls_inspector and one
 * filter chain per SNI, i.e. per available service (`<service>{mesh=<mesh>}`) and per TrafficRoute split
 * subset of it that its tags satisfy (`<service>{mesh=<mesh>,k=v}`), each a tcp_proxy (TLS passes through
 * untouched) to an EDS cluster `<mesh>:<service>` of this zone's endpoints, subset-selected by the SNI's tags.
 */
export function generateIngress(snaps: ReadonlyMap<string, MeshSnapshot>, ingress: IngressProxy): EncodedResource[] {
  const set = new ResourceSet();
  const chains = new Map<string, Chain>();
  const clusters = new Map<string, { snap: MeshSnapshot; service: string; keys: Map<string, string[]> }>();
  for (const available of ingress.availableServices) {
    const service = available.tags[SERVICE_TAG];
    const snap = snaps.get(available.mesh ?? '');
    if (!service || !snap) continue;
    const cluster = `${snap.mesh}:${service}`;
    let c = clusters.get(cluster);
    if (!c) clusters.set(cluster, (c = { snap, service, keys: new Map() }));
    const plain = meshSni(service, snap.mesh);
    chains.set(plain, { sni: plain, cluster });
    for (const subset of splitSubsetsOf(snap, service)) {
      if (!Object.entries(subset).every(([k, v]) => available.tags[k] === v)) continue;
      const sni = meshSni(service, snap.mesh, subset);
      chains.set(sni, { sni, cluster, subset });
      const keys = Object.keys(subset).sort();
      c.keys.set(keys.join(','), keys);
    }
  }
  for (const [name, c] of [...clusters].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const keys = [...c.keys.values()].sort((a, b) => a.join(',').localeCompare(b.join(',')));
    set.add(c.snap.resource(TYPE_URLS.cluster, name, { ingressSubsetKeys: keys }, buildIngressCluster));
    set.add(loadAssignment(c.snap, name, c.service, undefined, true));
  }
  const name = names.inboundListener(ingress.address, ingress.port);
  const sorted = [...chains.values()].sort((a, b) => (a.sni < b.sni ? -1 : a.sni > b.sni ? 1 : 0));
  set.add(
    encodeResource(
      TYPE_URLS.listener,
      name,
      listener({
        name,
        address: ingress.address,
        port: ingress.port,
        direction: 'INBOUND',
        filters: [],
        sniChains: sorted.map((c) => ({
          serverName: c.sni,
          filters: [tcpProxyFilter({ statPrefix: statPrefix(c.sni), targets: [{ cluster: c.cluster, weight: 100, ...(c.subset ? { subset: c.subset } : {}) }] })],
        })),
      }),
    ),
  );
  return set.toArray();
}

function buildIngressCluster(p: { readonly ingressSubsetKeys: readonly string[][] }, name: string): EnvoyObject {
  return edsCluster({ name, connectTimeout: DEFAULT_CONNECT_TIMEOUT, lb: { policy: 'ROUND_ROBIN' }, subsetKeys: p.ingressSubsetKeys });
}

/** Tag subsets TrafficRoutes of the mesh split `service` into (any source). */
function splitSubsetsOf(snap: MeshSnapshot, service: string): readonly Tags[] {
  return snap.derived({ service }, splitSubsets);
}

function splitSubsets(snap: MeshSnapshot, { service }: { readonly service: string }): readonly Tags[] {
  const out = new Map<string, Tags>();
  for (const route of snap.policies.trafficRoutes) {
    const conf = route.spec.conf;
    const destinations = conf?.split?.map((s) => s.destination) ?? (conf?.destination ? [conf.destination] : []);
    for (const d of destinations) {
      const target = d[SERVICE_TAG];
      if (target !== service && !(target === '*' && route.spec.destinations.some((sel) => [service, '*'].includes(sel.match[SERVICE_TAG] ?? '')))) continue;
      const subset = Object.fromEntries(Object.entries(d).filter(([k, v]) => k !== SERVICE_TAG && v !== '*'));
      if (Object.keys(subset).length > 0) out.set(JSON.stringify(Object.entries(subset).sort()), subset);
    }
  }
  return [...out.values()];
}
