import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import type { Resource, ResourceKey } from '../core/resources/model.js';
import { assertAdmin } from './authn.js';
import { resourceTypes, typeByPath, type ResourceTypeDescriptor } from '../core/resources/registry.js';
import type { ApiDeps, ApiRequest, Endpoint, Reply } from './endpoint.js';
import { dryRunReply } from './inspect/dry-run-reply.js';
import { paginate, parsePage } from './pagination.js';
import { assertResourceWritable, assertTypeWritable } from './read-only.js';
import { etagOf, expectedVersion, fromApiJson, toApiJson, urlMismatchViolations } from '../core/resources/resource-json.js';
import type { Router, SegmentTest } from './router.js';

const meshScoped: ReadonlySet<string> = new Set(resourceTypes.filter((t) => t.scope === 'mesh').map((t) => t.path));
const globalScoped: ReadonlySet<string> = new Set(resourceTypes.filter((t) => t.scope === 'global').map((t) => t.path));
const anyType: ReadonlySet<string> = new Set(resourceTypes.map((t) => t.path));
const isMeshPath: SegmentTest = (s) => meshScoped.has(s);
const isGlobalPath: SegmentTest = (s) => globalScoped.has(s);
const isTypePath: SegmentTest = (s) => anyType.has(s);

/**
 * CRUD for every registered type. Mesh-scoped: `/meshes/{mesh}/{path}[/{name}]`; global-scoped:
 * `/{path}[/{name}]`; `GET /{path}` lists a mesh-scoped type across all meshes. No POST.
 *
 * Optimistic concurrency (our extension, Kuma has none): a PUT that carries `If-Match: "<version>"` or a
 * body `version` updates only if the stored version is that one, else 409. GET and PUT answer with
 * `ETag: "<version>"`. Without either, PUT replaces unconditionally as in Kuma.
 *
 * `?dryRun=true` (beyond Kuma) on PUT and DELETE runs every check of the write, then answers which proxies'
 * configuration it would change and how, without writing (inspect/dry-run-reply.ts).
 */
export function addResourceRoutes(router: Router<Endpoint>, deps: ApiDeps): void {
  const one = {
    GET: { title: 'Could not retrieve a resource', handle: (r: ApiRequest) => getOne(deps, r) },
    PUT: { title: 'Could not process a resource', handle: (r: ApiRequest) => put(deps, r) },
    DELETE: { title: 'Could not delete a resource', handle: (r: ApiRequest) => remove(deps, r) },
  };
  const list: Endpoint = { title: 'Could not retrieve resources', handle: (r) => listAll(deps, r) };
  for (const [method, endpoint] of Object.entries(one)) {
    router.add(method, '/meshes/:mesh/:path/:name', endpoint, { path: isMeshPath });
    router.add(method, '/:path/:name', endpoint, { path: isGlobalPath });
  }
  router.add('GET', '/meshes/:mesh/:path', list, { path: isMeshPath });
  router.add('GET', '/:path', list, { path: isTypePath });
}

function target(req: ApiRequest): { descriptor: ResourceTypeDescriptor; key: ResourceKey } {
  const descriptor = typeByPath(req.params['path'] ?? '');
  if (!descriptor) throw new Error(`route matched an unknown type path ${req.params['path']}`);
  if (descriptor.admin) assertAdmin(req.user, `the resource of type "${descriptor.name}"`);
  return { descriptor, key: { name: req.params['name'] ?? '', mesh: descriptor.scope === 'mesh' ? (req.params['mesh'] ?? '') : '' } };
}

async function getOne({ rt, log }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const { descriptor, key } = target(req);
  const resource = await rt.manager.get(descriptor.name, key);
  log.debug({ type: descriptor.name, mesh: key.mesh, name: key.name }, 'resource read');
  return { status: 200, json: toApiJson(resource, descriptor.scope), headers: { etag: etagOf(resource) } };
}

async function listAll({ rt, log }: ApiDeps, req: ApiRequest): Promise<Reply> {
  const descriptor = typeByPath(req.params['path'] ?? '');
  if (!descriptor) throw new Error(`route matched an unknown type path ${req.params['path']}`);
  if (descriptor.admin) assertAdmin(req.user, `the resource of type "${descriptor.name}"`);
  const page = parsePage(req.query);
  const mesh = req.params['mesh'];
  const all = await rt.manager.list(descriptor.name, mesh !== undefined ? { mesh } : {});
  log.debug({ type: descriptor.name, mesh: mesh ?? '*', total: all.length }, 'resources listed');
  const body = paginate(all, page, { origin: req.origin, pathname: req.pathname, query: req.query });
  // Secret data is read one secret at a time, never in bulk.
  const item = descriptor.admin ? (r: Resource) => withoutData(toApiJson(r, descriptor.scope)) : (r: Resource) => toApiJson(r, descriptor.scope);
  return { status: 200, json: { ...body, items: body.items.map(item) } };
}

/** `?dryRun=true` on PUT and DELETE: answer what the write would do to the proxies instead of writing. */
const isDryRun = (req: ApiRequest): boolean => req.query.get('dryRun') === 'true';

async function put(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const { rt, log } = deps;
  const { descriptor, key } = target(req);
  assertTypeWritable(rt.config.mode, descriptor);
  const body = fromApiJson(await req.body());
  const mismatches = urlMismatchViolations(descriptor, key, body);
  if (mismatches.length > 0) throw new ValidationError(mismatches);
  const expected = expectedVersion(headerValue(req.headers['if-match']), body.version);

  const existing = await rt.manager.find(descriptor.name, key);
  assertResourceWritable(existing);
  // A version names a state the writer read; a resource that is gone has none of them.
  if (!existing && expected !== undefined) throw new ConflictError(descriptor.name, key.name, key.mesh, expected);
  if (isDryRun(req)) {
    // The manager runs the write's own checks (validation, mesh, CA rules, version) without writing.
    const normalised = await rt.manager.admit(descriptor.name, key, { spec: body.spec, ...(expected !== undefined ? { expectedVersion: expected } : {}) });
    return dryRunReply(deps, descriptor, key, existing, normalised);
  }
  const fields = { type: descriptor.name, mesh: key.mesh, name: key.name };
  if (!existing) {
    try {
      const created = await rt.manager.create(descriptor.name, key, body.spec);
      log.info({ ...fields, op: 'create' }, 'resource created');
      return { status: 201, headers: { etag: etagOf(created) } };
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      // Lost a race with a concurrent create: PUT means "make it so", so replace what is there now.
    }
  }
  const updated = await rt.manager.update(descriptor.name, key, body.spec, expected !== undefined ? { expectedVersion: expected } : {});
  log.info({ ...fields, op: 'update', version: updated.meta.version }, 'resource updated');
  return { status: 200, headers: { etag: etagOf(updated) } };
}

async function remove(deps: ApiDeps, req: ApiRequest): Promise<Reply> {
  const { rt, log } = deps;
  const { descriptor, key } = target(req);
  assertTypeWritable(rt.config.mode, descriptor);
  const existing = await rt.manager.find(descriptor.name, key);
  if (!existing) throw new NotFoundError(descriptor.name, key.name, key.mesh);
  assertResourceWritable(existing);
  if (isDryRun(req)) {
    // The delete's own checks (CA Secrets in use, a Mesh that still has Dataplanes) without deleting.
    await rt.manager.admit(descriptor.name, key, {});
    return dryRunReply(deps, descriptor, key, existing, undefined);
  }
  await rt.manager.delete(descriptor.name, key);
  log.info({ type: descriptor.name, mesh: key.mesh, name: key.name, op: 'delete' }, 'resource deleted');
  return { status: 200 };
}

function withoutData(json: Record<string, unknown>): Record<string, unknown> {
  const { data: _data, ...rest } = json;
  return rest;
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h.join(',') : h;
}
