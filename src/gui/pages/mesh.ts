import { enc, get, listAll } from '../api.js';
import { h, table } from '../dom.js';
import { meshGraph } from '../mesh-graph.js';
import type { DataplaneOverview, DataplanePolicies, MatchedPolicy, Policy, PolicyType, ServiceInsight } from '../model.js';
import { healthBadge, onlineBadge, tagText, xdsStatus } from '../status.js';

/** A mesh: services with health, policies, data planes with matched policies and xDS status, and a picture. */
export async function meshPage(mesh: string): Promise<HTMLElement> {
  const m = enc(mesh);
  const [services, types, dataplanes, matchedLists] = await Promise.all([
    listAll<ServiceInsight>(`/meshes/${m}/service-insights`),
    get<{ policies: PolicyType[] }>('/policies'),
    listAll<DataplaneOverview>(`/meshes/${m}/dataplanes+insights`),
    // Every data plane's matched policies, matched on the server against one read of the mesh (paginated).
    listAll<DataplanePolicies>(`/meshes/${m}/dataplanes+policies`),
  ]);
  const policies = (await Promise.all(types.policies.map((t) => listAll<Policy>(`/meshes/${m}/${t.path}`)))).flat();
  const matched = new Map(matchedLists.map((d) => [d.name, d.policies]));
  const health = new Map(services.map((svc) => [svc.name, svc.serviceType === 'external' ? 'external' : svc.status]));
  return h(
    'section',
    {},
    h('h1', {}, 'Mesh ', h('span', { 'data-testid': 'mesh-name' }, mesh)),
    h('h2', {}, 'Services'),
    table(
      ['service', 'type', 'health', 'data planes online', 'zones'],
      services.map((svc) => [svc.name, svc.serviceType, healthBadge(svc.status), `${svc.dataplanes?.online ?? 0} / ${svc.dataplanes?.total ?? 0}`, (svc.zones ?? []).join(', ') || '-']),
      'services',
    ),
    h('h2', {}, 'Picture of the mesh'),
    meshGraph(
      services.map((svc) => svc.name),
      health,
      policies,
    ),
    h('h2', {}, 'Data planes'),
    table(
      ['name', 'address', 'tags', 'status', 'xDS', 'matched policies'],
      dataplanes.map((d) => [
        d.name,
        d.dataplane.networking?.address ?? '-',
        tagText(d.dataplane.networking?.inbound?.[0]?.tags ?? d.dataplane.networking?.gateway?.tags),
        onlineBadge(d.dataplaneInsight?.subscriptions),
        xdsStatus(d.dataplaneInsight?.subscriptions),
        matchedList(matched.get(d.name)),
      ]),
      'dataplanes',
    ),
    h('h2', {}, 'Policies'),
    table(
      ['type', 'name', 'from', 'to'],
      policies.map((p) => [p.type, p.name, selectorText(p.sources ?? p.selectors), selectorText(p.destinations)]),
      'policies',
    ),
  );
}

function matchedList(items: readonly MatchedPolicy[] | undefined): HTMLElement | string {
  if (!items) return '-';
  return h('ul', { class: 'matched' }, ...items.map((p) => h('li', {}, `${p.type} ${p.name}`, h('span', { class: 'muted' }, ` @ ${(p.attachments ?? []).map((a) => a.name).join(', ')}`))));
}

const selectorText = (selectors: readonly { match: Readonly<Record<string, string>> }[] | undefined): string => (selectors ?? []).map((x) => tagText(x.match)).join('; ') || '-';
