import type { ResourceTypeName } from '../core/resources/model.js';
import { resourceTypes } from '../core/resources/registry.js';

/** Types the global sends to every zone, in registry order (Mesh first: what lives in a mesh needs it). */
export function globalToZoneTypes(): ResourceTypeName[] {
  return resourceTypes.filter((t) => t.kds.globalToZone).map((t) => t.name);
}

/** Types a zone sends to the global, in registry order. */
export function zoneToGlobalTypes(): ResourceTypeName[] {
  return resourceTypes.filter((t) => t.kds.zoneToGlobal).map((t) => t.name);
}
