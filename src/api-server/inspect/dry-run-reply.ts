import type { Resource, ResourceKey, Spec } from '../../core/resources/model.js';
import type { ResourceTypeDescriptor } from '../../core/resources/registry.js';
import type { ApiDeps, Reply } from '../endpoint.js';
import { toApiJson } from '../../core/resources/resource-json.js';

/**
 * The answer to `PUT|DELETE ...?dryRun=true` once the write's own checks passed (ResourceManager.admit, the
 * code the write runs): the resource normalised as it would be stored, then the proxies whose configuration
 * would change, with per-type and per-resource versions and a unified diff of each changed resource.
 * Nothing is written. `normalised` undefined: a delete.
 */
export async function dryRunReply(deps: ApiDeps, descriptor: ResourceTypeDescriptor, key: ResourceKey, existing: Resource | undefined, normalised: Spec | undefined): Promise<Reply> {
  const { log, inspect } = deps;
  const action = normalised === undefined ? 'delete' : existing ? 'update' : 'create';
  const result = await inspect.dryRun({ type: descriptor.name, key, spec: normalised });
  log.info({ type: descriptor.name, mesh: key.mesh, name: key.name, op: action, proxies: result.proxies.length, examined: result.examined }, 'dry-run computed; nothing written');
  const now = new Date().toISOString();
  const resource =
    normalised === undefined
      ? undefined
      : toApiJson({ type: descriptor.name, meta: existing ? { ...existing.meta, modificationTime: now } : { ...key, version: 0, creationTime: now, modificationTime: now }, spec: normalised }, descriptor.scope);
  return { status: 200, json: { dryRun: true, action, ...(resource ? { resource } : {}), ...result } };
}
