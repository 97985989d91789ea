import type { ResourceManager } from '../core/manager/resource-manager.js';
import type { Resource } from '../core/resources/model.js';
import type { ResourceOf } from '../core/resources/typed-resource.js';
import { dataplaneOverview, matchesFilter, parseDataplaneFilter } from './dataplane-overview.js';
import type { ApiDeps, ApiRequest, Endpoint, Reply } from './endpoint.js';
import { paginate, parsePage } from './pagination.js';
import type { Router } from './router.js';
import { zoneOverview, zoneStatus } from './zone-overview.js';

/**
 * `dataplanes+insights`, `zones+insights`, `zoneingresses+insights` and `status/zones`: resources joined with their
 * insights. Read from the store, like the plain resource endpoints, not from the view: with several instances on one
 * Postgres, a client may write a resource through one instance and read its overview through another right away,
 * before that instance's change feed has delivered the write to its view.
 */
export function addOverviewRoutes(router: Router<Endpoint>, deps: ApiDeps): void {
  const one = 'Could not retrieve a resource';
  const many = 'Could not retrieve resources';
  router.add('GET', '/meshes/:mesh/dataplanes+insights', { title: many, handle: (r) => listDataplanes(deps, r) });
  router.add('GET', '/meshes/:mesh/dataplanes+insights/:name', { title: one, handle: (r) => getDataplane(deps, r) });
  router.add('GET', '/dataplanes+insights', { title: many, handle: (r) => listDataplanes(deps, r) });
  router.add('GET', '/zones+insights', { title: many, handle: (r) => listZones(deps, r) });
  router.add('GET', '/zones+insights/:name', { title: one, handle: (r) => getZone(deps, r) });
  router.add('GET', '/zoneingresses+insights', { title: many, handle: (r) => listZoneIngresses(deps, r) });
  router.add('GET', '/zoneingresses+insights/:name', { title: one, handle: (r) => getZoneIngress(deps, r) });
  router.add('GET', '/status/zones', { title: many, handle: () => zoneStatuses(deps) });
}

async function listDataplanes({ rt, log }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const page = parsePage(req.query);
  const filter = parseDataplaneFilter(req.query);
  const mesh = req.params['mesh'];
  const options = mesh !== undefined ? { mesh } : {};
  const [dataplanes, insights] = await Promise.all([rt.manager.list('Dataplane', options), rt.manager.list('DataplaneInsight', options)]);
  const byKey = indexByKey(insights);
  const matching = dataplanes.filter((dp) => matchesFilter(dp.spec, filter));
  log.debug({ mesh: mesh ?? '*', total: matching.length }, 'dataplane overviews listed');
  const body = paginate(matching, page, { origin: req.origin, pathname: req.pathname, query: req.query });
  return { status: 200, json: { ...body, items: body.items.map((dp) => dataplaneOverview(dp, byKey.get(keyString(dp)))) } };
}

async function getDataplane({ rt }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const key = { mesh: req.params['mesh'] ?? '', name: req.params['name'] ?? '' };
  const [dataplane, insight] = await Promise.all([rt.manager.get('Dataplane', key), rt.manager.find('DataplaneInsight', key)]);
  return { status: 200, json: dataplaneOverview(dataplane, insight) };
}

async function listZones({ rt }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const page = parsePage(req.query);
  const [zones, byKey] = await zonesWithInsights(rt.manager);
  const body = paginate(zones, page, { origin: req.origin, pathname: req.pathname, query: req.query });
  return { status: 200, json: { ...body, items: body.items.map((z) => zoneOverview(z, byKey.get(keyString(z)))) } };
}

async function getZone({ rt }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const key = { mesh: '', name: req.params['name'] ?? '' };
  const [zone, insight] = await Promise.all([rt.manager.get('Zone', key), rt.manager.find('ZoneInsight', key)]);
  return { status: 200, json: zoneOverview(zone, insight) };
}

async function listZoneIngresses({ rt }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const page = parsePage(req.query);
  const [ingresses, insights] = await Promise.all([rt.manager.list('ZoneIngress'), rt.manager.list('ZoneIngressInsight')]);
  const byKey = indexByKey(insights);
  const body = paginate(ingresses, page, { origin: req.origin, pathname: req.pathname, query: req.query });
  return { status: 200, json: { ...body, items: body.items.map((zi) => zoneIngressOverview(zi, byKey.get(keyString(zi)))) } };
}

async function getZoneIngress({ rt }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const key = { mesh: '', name: req.params['name'] ?? '' };
  const [ingress, insight] = await Promise.all([rt.manager.get('ZoneIngress', key), rt.manager.find('ZoneIngressInsight', key)]);
  return { status: 200, json: zoneIngressOverview(ingress, insight) };
}

/** Kuma's ZoneIngressOverview: the spec under `zoneIngress`, its insight (or `{}`) under `zoneIngressInsight`. */
function zoneIngressOverview(ingress: Resource, insight: Resource | undefined): Record<string, unknown> {
  return {
    type: 'ZoneIngressOverview',
    name: ingress.meta.name,
    creationTime: ingress.meta.creationTime,
    modificationTime: ingress.meta.modificationTime,
    zoneIngress: ingress.spec,
    zoneIngressInsight: insight?.spec ?? {},
  };
}

async function zoneStatuses({ rt }: ApiDeps): Promise<Reply> {
  const [zones, byKey] = await zonesWithInsights(rt.manager);
  return { status: 200, json: zones.map((z) => zoneStatus(z, byKey.get(keyString(z)))) };
}

async function zonesWithInsights(manager: Pick<ResourceManager, 'list'>): Promise<[ResourceOf<'Zone'>[], Map<string, ResourceOf<'ZoneInsight'>>]> {
  const [zones, insights] = await Promise.all([manager.list('Zone'), manager.list('ZoneInsight')]);
  return [zones, indexByKey(insights)];
}

const keyString = (r: Resource): string => `${r.meta.mesh}\u0000${r.meta.name}`;

function indexByKey<R extends Resource>(resources: readonly R[]): Map<string, R> {
  return new Map(resources.map((r) => [keyString(r), r]));
}
