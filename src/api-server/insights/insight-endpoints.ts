import { NotFoundError } from '../../core/errors.js';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import type { StoreView } from '../../core/view/store-view.js';
import { policyTypes as POLICY_TYPES } from '../../core/resources/registry.js';
import { SERVICE_TAG } from '../../core/resources/specs.js';
import { subscriptionsOnline } from '../../core/resources/subscriptions.js';
import type { ApiDeps, ApiRequest, Endpoint, Reply } from '../endpoint.js';
import { paginate, parsePage } from '../pagination.js';
import type { Router } from '../router.js';
import { zoneEnabled, zoneOnline } from '../zone-overview.js';
import { count, dataplaneFacts, emptyCounts, type DataplaneFacts } from './dataplane-facts.js';
import { meshInsight } from './mesh-insights.js';
import { serviceInsights, type ServiceInsight } from './service-insights.js';

const ONE = 'Could not retrieve a resource';
const MANY = 'Could not retrieve resources';

/**
 * Insights computed on request from the store view (no re-list of the store per request): `/mesh-insights[/{mesh}]`,
 * `/meshes/{mesh}/service-insights[/{service}]`, `/service-insights` (every mesh), `/global-insights`
 * and `/vips` (service -> VIP). Read-your-writes holds for a client of this instance: every store delivers this
 * instance's own commits to the view before the write answers (SQLite and memory inside the commit, Postgres in
 * ChangeFeed.committed). Another instance's writes (Postgres HA) appear once this instance's change feed has them;
 * the plain resource endpoints and the `+insights` overviews read the store, so a client that writes through
 * one instance and reads a resource through another still sees its write.
 */
export function addInsightRoutes(router: Router<Endpoint>, deps: ApiDeps): void {
  router.add('GET', '/mesh-insights', { title: MANY, handle: (r) => listMeshInsights(deps, r) });
  router.add('GET', '/mesh-insights/:name', { title: ONE, handle: (r) => getMeshInsight(deps, r) });
  router.add('GET', '/meshes/:mesh/service-insights', { title: MANY, handle: (r) => listServiceInsights(deps, r, r.params['mesh']) });
  router.add('GET', '/meshes/:mesh/service-insights/:name', { title: ONE, handle: (r) => getServiceInsight(deps, r) });
  router.add('GET', '/service-insights', { title: MANY, handle: (r) => listServiceInsights(deps, r, undefined) });
  router.add('GET', '/global-insights', { title: ONE, handle: () => globalInsights(deps) });
  router.add('GET', '/vips', { title: ONE, handle: () => vips(deps) });
}

/** The view, loaded (idempotent: every consumer awaits the same start). */
async function viewOf({ rt }: ApiDeps): Promise<StoreView> {
  await rt.view.start();
  return rt.view;
}

/** The Mesh `name` from the view; NotFoundError (404) if it does not exist. */
function meshOf(view: StoreView, name: string): Resource {
  const mesh = view.find('Mesh', { name, mesh: '' });
  if (!mesh) throw new NotFoundError('Mesh', name, '');
  return mesh;
}

function allFacts({ rt }: ApiDeps, view: StoreView, mesh: string | undefined): DataplaneFacts[] {
  const options = mesh !== undefined ? { mesh } : {};
  const [dataplanes, insights] = [view.list('Dataplane', options), view.list('DataplaneInsight', options)];
  const byKey = new Map(insights.map((i) => [`${i.meta.mesh}\u0000${i.meta.name}`, i]));
  const localZone = rt.config.mode === 'remote' ? rt.config.multizone.remote.zone : '';
  return dataplanes.map((dp) => dataplaneFacts(dp, byKey.get(`${dp.meta.mesh}\u0000${dp.meta.name}`), localZone));
}

function externalByMesh(view: StoreView, mesh: string | undefined): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const es of view.list('ExternalService', mesh !== undefined ? { mesh } : {})) {
    const spec = es.spec;
    const service = spec.tags[SERVICE_TAG];
    if (!service) continue;
    let m = out.get(es.meta.mesh);
    if (!m) out.set(es.meta.mesh, (m = new Map<string, string>()));
    m.set(service, spec.networking.address);
  }
  return out;
}

function servicesOf(deps: ApiDeps, view: StoreView, meshes: readonly string[], mesh: string | undefined): { facts: DataplaneFacts[]; services: Map<string, ServiceInsight[]> } {
  const [facts, external] = [allFacts(deps, view, mesh), externalByMesh(view, mesh)];
  const services = new Map(meshes.map((m) => [m, serviceInsights(m, facts, external.get(m) ?? new Map<string, string>())]));
  return { facts, services };
}

function policyCounts(view: StoreView): Map<string, Map<ResourceTypeName, number>> {
  const lists = POLICY_TYPES.map((t) => view.list(t));
  const out = new Map<string, Map<ResourceTypeName, number>>();
  POLICY_TYPES.forEach((type, i) => {
    for (const p of lists[i] ?? []) {
      let m = out.get(p.meta.mesh);
      if (!m) out.set(p.meta.mesh, (m = new Map<ResourceTypeName, number>()));
      m.set(type, (m.get(type) ?? 0) + 1);
    }
  });
  return out;
}

function meshInsights(deps: ApiDeps, view: StoreView, meshes: readonly Resource[]): ReturnType<typeof meshInsight>[] {
  const names = meshes.map((m) => m.meta.name);
  const [{ facts, services }, policies] = [servicesOf(deps, view, names, names.length === 1 ? names[0] : undefined), policyCounts(view)];
  return meshes.map((m) => meshInsight(m, facts.filter((f) => f.mesh === m.meta.name), policies.get(m.meta.name) ?? new Map(), services.get(m.meta.name) ?? []));
}

async function listMeshInsights(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const page = parsePage(req.query);
  const view = await viewOf(deps);
  const body = paginate(meshInsights(deps, view, view.list('Mesh')), page, req);
  return { status: 200, json: body };
}

async function getMeshInsight(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const view = await viewOf(deps);
  const [insight] = meshInsights(deps, view, [meshOf(view, req.params['name'] ?? '')]);
  return { status: 200, json: insight };
}

async function listServiceInsights(deps: ApiDeps, req: ApiRequest, mesh: string | undefined): Promise<Reply> {
  const page = parsePage(req.query);
  const view = await viewOf(deps);
  const meshes = mesh !== undefined ? [meshOf(view, mesh).meta.name] : view.list('Mesh').map((m) => m.meta.name);
  const { services } = servicesOf(deps, view, meshes, mesh);
  const all = meshes.flatMap((m) => services.get(m) ?? []);
  return { status: 200, json: paginate(all, page, req) };
}

async function getServiceInsight(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const mesh = req.params['mesh'] ?? '';
  const name = req.params['name'] ?? '';
  const view = await viewOf(deps);
  meshOf(view, mesh);
  const { services } = servicesOf(deps, view, [mesh], mesh);
  const found = services.get(mesh)?.find((s) => s.name === name);
  if (!found) throw new NotFoundError('ServiceInsight', name, mesh);
  return { status: 200, json: found };
}

async function globalInsights(deps: ApiDeps): Promise<Reply> {
  const view = await viewOf(deps);
  const [meshes, zones, zoneInsights, ingresses, ingressInsights] = [view.list('Mesh'), view.list('Zone'), view.list('ZoneInsight'), view.list('ZoneIngress'), view.list('ZoneIngressInsight')];
  const names = meshes.map((m) => m.meta.name);
  const [{ facts, services }, policies] = [servicesOf(deps, view, names, undefined), policyCounts(view)];
  const zoneInsightByName = new Map(zoneInsights.map((z) => [z.meta.name, z]));
  const controlPlanes = emptyCounts();
  for (const z of zones) count(controlPlanes, zoneEnabled(z) && zoneOnline(zoneInsightByName.get(z.meta.name)));
  const ingressInsightByName = new Map(ingressInsights.map((z) => [z.meta.name, z]));
  const zoneIngresses = emptyCounts();
  for (const zi of ingresses) count(zoneIngresses, subscriptionsOnline(ingressInsightByName.get(zi.meta.name)?.spec.subscriptions));
  const dataplanes = { standard: emptyCounts(), gateway: emptyCounts() };
  for (const f of facts) count(dataplanes[f.kind], f.online);
  const allServices = [...services.values()].flat();
  const external = allServices.filter((s) => s.serviceType === 'external').length;
  let policyTotal = 0;
  for (const m of policies.values()) for (const n of m.values()) policyTotal += n;
  return {
    status: 200,
    json: {
      type: 'GlobalInsights',
      createdAt: new Date().toISOString(),
      meshes: { total: meshes.length },
      zones: { controlPlanes, zoneIngresses },
      dataplanes,
      policies: { total: policyTotal },
      services: { total: allServices.length, internal: allServices.length - external, external },
    },
  };
}

async function vips(deps: ApiDeps): Promise<Reply> {
  const out: Record<string, string> = {};
  const rows = (await viewOf(deps)).list('VirtualIP').map((r) => r.spec).filter((s) => s.service);
  rows.sort((a, b) => ((a.service ?? '') < (b.service ?? '') ? -1 : 1));
  for (const row of rows) if (row.service) out[row.service] = row.ip;
  return { status: 200, json: out };
}
