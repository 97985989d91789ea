import { ResourceGroup } from '../cache/resource-group.js';
import type { EncodedResource } from '../resource.js';

/** The shared group minus what a proxy's own resources shadow (same type and name): own resources win, as in one ResourceSet. */
export function withoutShadowed(shared: ResourceGroup, own: readonly EncodedResource[]): ResourceGroup {
  if (!own.some((r) => shared.get(r.typeUrl, r.name))) return shared;
  const taken = new Set(own.map((r) => `${r.typeUrl}\n${r.name}`));
  const rest: EncodedResource[] = [];
  for (const t of shared.types()) for (const r of shared.list(t)) if (!taken.has(`${t}\n${r.name}`)) rest.push(r);
  return new ResourceGroup(rest);
}
