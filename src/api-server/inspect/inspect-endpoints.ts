import { promiseTry } from '../../core/promise-try.js';
import type { Resource } from '../../core/resources/model.js';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { policyTypes as POLICY_TYPES } from '../../core/resources/registry.js';
import { typeDescriptor, typeByPath } from '../../core/resources/registry.js';
import { SERVICE_TAG } from '../../core/resources/specs.js';
import type { ApiDeps, ApiRequest, Endpoint, Reply } from '../endpoint.js';
import { ProxyNotConnectedError } from '../error-mapping.js';
import { paginate, parsePage } from '../pagination.js';
import type { Router } from '../router.js';
import { configDump } from './config-dump.js';

const policyPaths: ReadonlySet<string> = new Set(POLICY_TYPES.map((t) => typeDescriptor(t).path));

/**
 * Kuma's inspect endpoints: `/meshes/{m}/dataplanes/{n}/policies` (matched policies, why, where they
 * attach), `/meshes/{m}/{policyPath}/{name}/dataplanes` (data planes a policy applies to) and
 * `/meshes/{m}/dataplanes/{n}/xds` (the config the connected proxy holds, with ACK/NACK state); beyond Kuma,
 * `/meshes/{m}/dataplanes+policies` (every data plane of the mesh with its matched policies, paginated,
 * matched against one read of the mesh: what the GUI shows for every data plane).
 */
export function addInspectRoutes(router: Router<Endpoint>, deps: ApiDeps): void {
  const title = 'Could not inspect a resource';
  router.add('GET', '/meshes/:mesh/dataplanes/:name/policies', { title, handle: (r) => dataplanePolicies(deps, r) });
  router.add('GET', '/meshes/:mesh/dataplanes+policies', { title: 'Could not retrieve resources', handle: (r) => meshDataplanePolicies(deps, r) });
  router.add('GET', '/meshes/:mesh/dataplanes/:name/xds', { title, handle: (r) => promiseTry(() => dataplaneXds(deps, r)) });
  router.add('GET', '/zoneingresses/:name/xds', { title, handle: (r) => zoneIngressXds(deps, r) });
  router.add('GET', '/meshes/:mesh/:path/:name/dataplanes', { title, handle: (r) => policyDataplanes(deps, r) }, { path: (s) => policyPaths.has(s) });
}

async function policyContext({ rt }: ApiDeps, mesh: string): Promise<{ dataplanes: ResourceOf<'Dataplane'>[]; policies: Map<(typeof POLICY_TYPES)[number], Resource[]>; services: string[] }> {
  const [dataplanes, external, ...lists] = await Promise.all([rt.manager.list('Dataplane', { mesh }), rt.manager.list('ExternalService', { mesh }), ...POLICY_TYPES.map((t) => rt.manager.list(t, { mesh }))]);
  const services = new Set<string>();
  for (const dp of dataplanes) for (const i of dp.spec.networking.inbound ?? []) if (i.tags[SERVICE_TAG]) services.add(i.tags[SERVICE_TAG]);
  for (const es of external) {
    const s = es.spec.tags[SERVICE_TAG];
    if (s) services.add(s);
  }
  return { dataplanes, policies: new Map(POLICY_TYPES.map((t, i) => [t, lists[i] ?? []])), services: [...services].sort() };
}

async function dataplanePolicies(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const mesh = req.params['mesh'] ?? '';
  const dataplane = await deps.rt.manager.get('Dataplane', { mesh, name: req.params['name'] ?? '' });
  const ctx = await policyContext(deps, mesh);
  const items = deps.inspect.matchPolicies(dataplane, ctx);
  return { status: 200, json: { total: items.length, items } };
}

async function meshDataplanePolicies(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const mesh = req.params['mesh'] ?? '';
  const page = parsePage(req.query);
  await deps.rt.manager.get('Mesh', { name: mesh, mesh: '' });
  const ctx = await policyContext(deps, mesh);
  const body = paginate(ctx.dataplanes, page, req);
  const items = body.items.map((dp) => ({ mesh, name: dp.meta.name, policies: deps.inspect.matchPolicies(dp, ctx) }));
  return { status: 200, json: { ...body, items } };
}

async function policyDataplanes(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const mesh = req.params['mesh'] ?? '';
  const descriptor = typeByPath(req.params['path'] ?? '');
  if (!descriptor) throw new Error(`route matched an unknown policy path ${req.params['path']}`);
  const policy = await deps.rt.manager.get(descriptor.name, { mesh, name: req.params['name'] ?? '' });
  const ctx = await policyContext(deps, mesh);
  const items = [];
  for (const dp of ctx.dataplanes) {
    const hit = deps.inspect.matchPolicies(dp, ctx).find((m) => m.type === policy.type && m.name === policy.meta.name);
    if (hit) items.push({ mesh, name: dp.meta.name, attachments: hit.attachments, reason: hit.reason });
  }
  return { status: 200, json: { total: items.length, items } };
}

function dataplaneXds(deps: ApiDeps, req: ApiRequest): Reply {
  const mesh = req.params['mesh'] ?? '';
  const name = req.params['name'] ?? '';
  // Registered inline proxies exist only while connected: say "not connected", not "no such data plane".
  return proxyXds(deps, `${mesh}.${name}`, `data plane ${mesh}/${name}`);
}

/** A zone ingress has no mesh: its node id is `.<name>` (Kuma's proxy id with an empty mesh). */
async function zoneIngressXds(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const name = req.params['name'] ?? '';
  await deps.rt.manager.get('ZoneIngress', { mesh: '', name });
  return proxyXds(deps, `.${name}`, `zone ingress ${name}`);
}

function proxyXds(deps: ApiDeps, key: string, what: string): Reply {
  const xds = deps.inspect.xds();
  const view = xds?.proxy(key);
  if (!view) {
    const why = xds ? 'is not connected to this control plane' : `cannot be inspected on a ${deps.rt.config.mode} control plane: proxies connect to zone control planes`;
    throw new ProxyNotConnectedError(`${what} ${why}`);
  }
  return { status: 200, json: configDump(view) };
}
