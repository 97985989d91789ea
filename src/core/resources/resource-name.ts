import type { Violation } from '../errors.js';
import type { ResourceKey, ResourceTypeName } from './model.js';
import { typeDescriptor } from './registry.js';

const NAME_RE = /^[0-9a-z-_]*$/;
const SYNCED_NAME_RE = /^[0-9a-z-_.]*$/;
const NAME_MESSAGE = "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols.";
const MAX_NAME_LENGTH = 253;

/**
 * Kuma's rules for a resource's name and mesh (zone names have their own, stricter rule: zone-name.ts).
 * Names synced from a zone carry a `<zone>.` prefix, so a dot is allowed for them (`synced`).
 */
export function keyViolations(type: ResourceTypeName, key: ResourceKey, synced: boolean): Violation[] {
  const out: Violation[] = [];
  if (!key.name) out.push({ field: 'name', message: 'cannot be empty' });
  else if (!(synced ? SYNCED_NAME_RE : NAME_RE).test(key.name)) out.push({ field: 'name', message: NAME_MESSAGE });
  else if (key.name.length > MAX_NAME_LENGTH) out.push({ field: 'name', message: `must be at most ${MAX_NAME_LENGTH} characters` });
  const scope = typeDescriptor(type).scope;
  if (scope === 'mesh') {
    if (!key.mesh) out.push({ field: 'mesh', message: 'cannot be empty' });
    else if (!NAME_RE.test(key.mesh)) out.push({ field: 'mesh', message: NAME_MESSAGE });
  } else if (key.mesh) {
    out.push({ field: 'mesh', message: `${type} is not mesh-scoped; mesh must be empty` });
  }
  return out;
}
