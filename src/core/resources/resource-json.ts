import { BadRequestError, type Violation } from '../errors.js';
import type { Resource, ResourceKey, Spec } from './model.js';
import type { ResourceTypeDescriptor } from './registry.js';

/** Meta fields of the flat REST shape; everything else in a body is spec. */
const META_FIELDS: ReadonlySet<string> = new Set(['type', 'mesh', 'name', 'creationTime', 'modificationTime', 'labels', 'version']);

/**
^ * Kuma's flat REST shape: `{type, mesh, name, creationTime, modificationTime, ...spec}`; `mesh` is omitted
 * for global-scoped types. Meta fields come first and a spec field never overrides them. `labels` (as in
 * Kuma 2.x) appear when set: `kuma.io/origin` and `kuma.io/zone` tell where a synced resource came from.
 * On input they are meta, not spec: the control plane sets them, a PUT cannot.
 */
export function toApiJson(resource: Resource, scope: ResourceTypeDescriptor['scope']): Record<string, unknown> {
  const out: Record<string, unknown> = { type: resource.type };
  if (scope === 'mesh') out['mesh'] = resource.meta.mesh;
  out['name'] = resource.meta.name;
  out['creationTime'] = resource.meta.creationTime;
  out['modificationTime'] = resource.meta.modificationTime;
  if (resource.meta.labels && Object.keys(resource.meta.labels).length > 0) out['labels'] = { ...resource.meta.labels };
  for (const [k, v] of Object.entries(resource.spec)) {
    if (!Object.hasOwn(out, k) && k !== '__proto__') out[k] = v;
  }
  return out;
}

/** A PUT body split into the meta it names and its spec. */
export interface ApiResourceBody {
  readonly type: unknown;
  readonly name: unknown;
  readonly mesh: unknown;
  /** Optional optimistic-concurrency version (our extension; Kuma has none). */
  readonly version: number | undefined;
  readonly spec: Spec;
}

/** Splits a parsed body (JSON or YAML) into meta and spec. Non-object bodies are a BadRequestError. */
export function fromApiJson(body: unknown): ApiResourceBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('Could not parse the request body', [{ field: 'body', message: 'must be a resource object' }]);
  }
  const record = body as Record<string, unknown>;
  const spec: Spec = {};
  for (const [k, v] of Object.entries(record)) {
    // `__proto__` would set the prototype instead of a field; it is never a valid spec field.
    if (!META_FIELDS.has(k) && k !== '__proto__') spec[k] = v;
  }
  return { type: record['type'], name: record['name'], mesh: record['mesh'], version: parseVersion(record['version'], 'version'), spec };
}

/** Violations when the body names a different type, name or mesh than the URL (Kuma's messages). */
export function urlMismatchViolations(descriptor: ResourceTypeDescriptor, key: ResourceKey, body: ApiResourceBody): Violation[] {
  const out: Violation[] = [];
  if (body.name !== key.name) out.push({ field: 'name', message: 'name from the URL has to be the same as in body' });
  if (descriptor.scope === 'mesh' && body.mesh !== key.mesh) out.push({ field: 'mesh', message: 'mesh from the URL has to be the same as in body' });
  if (body.type !== descriptor.name) out.push({ field: 'type', message: 'type from the URL has to be the same as in body' });
  return out;
}

/**
 * The version a writer expects, from `If-Match` (ETag syntax `"3"`, `W/"3"` or bare `3`; `*` = any) and/or
 * the body's `version`. Both given and different is a BadRequestError.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion: number | undefined): number | undefined {
  const raw = ifMatch?.trim();
  const header = raw === undefined || raw === '' || raw === '*' ? undefined : parseVersion(raw.replace(/^W\//, '').replace(/^"(.*)"$/, '$1'), 'If-Match');
  if (header !== undefined && bodyVersion !== undefined && header !== bodyVersion) {
    throw new BadRequestError('Conflicting versions', [{ field: 'version', message: `If-Match header (${header}) and body version (${bodyVersion}) differ` }]);
  }
  return header ?? bodyVersion;
}

/** The ETag of a resource version. */
export function etagOf(resource: Resource): string {
  return `"${resource.meta.version}"`;
}

function parseVersion(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new BadRequestError('Invalid version', [{ field, message: 'must be a positive integer (the version of the resource being replaced)' }]);
  }
  return n;
}
