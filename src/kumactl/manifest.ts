import { parseAllDocuments } from 'yaml';
import { describeYamlError } from '../core/yaml-error.js';
import type { ResourceTypeDescriptor } from '../core/resources/registry.js';
import { usageError } from './kumactl-error.js';
import { typeByName } from './resource-kinds.js';

/** One resource of an applied file, checked enough to know where to PUT it. */
export interface ManifestResource {
  readonly descriptor: ResourceTypeDescriptor;
  readonly mesh: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** `--var key=value` pairs. */
export function parseVars(raw: readonly string[]): Map<string, string> {
  const vars = new Map<string, string>();
  for (const v of raw) {
    const i = v.indexOf('=');
    if (i <= 0) throw usageError(`--var "${v}" must be key=value`);
    vars.set(v.slice(0, i), v.slice(i + 1));
  }
  return vars;
}

/** Replaces `{{ key }}` with the `--var` value; a placeholder without a value is an error naming it. */
export function substituteVars(text: string, vars: ReadonlyMap<string, string>, source: string): string {
  return text.replace(PLACEHOLDER, (_m, key: string) => {
    const value = vars.get(key);
    if (value === undefined) throw usageError(`${source} uses {{ ${key} }} but no --var ${key}=VALUE was given`);
    return value;
  });
}

/** Every non-empty YAML (or JSON) document of `text` as a resource; any problem is one line naming the document. */
export function parseManifest(text: string, source: string): ManifestResource[] {
  const out: ManifestResource[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const where = list.length > 1 ? `${source} (document ${i + 1})` : source;
    const err = doc.errors[0];
    if (err) {
      throw usageError(`${where} is not valid YAML ${describeYamlError(err)}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    out.push(toResource(value, where));
  });
  if (out.length === 0) throw usageError(`${source} holds no resource`);
  return out;
}

function toResource(value: unknown, where: string): ManifestResource {
  if (typeof value !== 'object' || Array.isArray(value) || value === null) throw usageError(`${where} must be a resource object (type, name, ...)`);
  const body = value as Record<string, unknown>;
  if (typeof body['type'] !== 'string') throw usageError(`${where} has no "type"`);
  const descriptor = typeByName(body['type']);
  if (!descriptor) throw usageError(`${where}: unknown type "${body['type']}"`);
  if (typeof body['name'] !== 'string' || body['name'] === '') throw usageError(`${where}: ${descriptor.name} has no "name"`);
  let mesh = '';
  if (descriptor.scope === 'mesh') {
    if (typeof body['mesh'] !== 'string' || body['mesh'] === '') throw usageError(`${where}: ${descriptor.name} "${body['name']}" has no "mesh"`);
    mesh = body['mesh'];
  }
  return { descriptor, mesh, name: body['name'], body };
}
