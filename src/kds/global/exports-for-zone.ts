import type { ResourceTypeName } from '../../core/resources/model.js';
import type { ExportIndex } from '../export-index.js';
import { ORIGIN_LABEL, ZONE_LABEL } from '../labels.js';
import { globalToZoneTypes } from '../synced-types.js';
import { keyString, type ExportedResource } from '../wire-resource.js';
import { secretsForZone } from './secrets-for-zone.js';

/**
 * What the global sends to zone `zone`: every global->zone type as stored, except ZoneIngresses, of which
 * only those of OTHER zones that are enabled (a zone never gets its own ingresses back), and secrets
 * (secrets-for-zone.ts). The index must hold Dataplanes too (which meshes the zone has proxies in).
 */
export function exportsForZone(index: ExportIndex, zone: string): Map<ResourceTypeName, () => Iterable<ExportedResource>> {
  const out = new Map<ResourceTypeName, () => Iterable<ExportedResource>>();
  for (const type of globalToZoneTypes()) out.set(type, () => index.get(type).values());
  out.set('ZoneIngress', () => otherZonesIngresses(index, zone));
  out.set('Secret', () => secretsForZone(index, zone));
  out.set('GlobalSecret', () => []);
  return out;
}

function* otherZonesIngresses(index: ExportIndex, zone: string): Iterable<ExportedResource> {
  const zones = index.get('Zone');
  for (const r of index.get('ZoneIngress').values()) {
    const labels = r.resource.meta.labels ?? {};
    const from = labels[ZONE_LABEL];
    if (labels[ORIGIN_LABEL] !== 'zone' || !from || from === zone) continue;
    const z = zones.get(keyString({ mesh: '', name: from }));
    if (!z || z.resource.spec.enabled === false) continue;
    yield r;
  }
}
