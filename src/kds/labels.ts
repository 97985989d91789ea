import { ORIGIN_LABEL, ZONE_LABEL } from '../core/resources/labels.js';

export { ORIGIN_LABEL, ZONE_LABEL };

export type Direction = 'globalToZone' | 'zoneToGlobal';

/**
 * Labels a sender puts on the wire: without the keys the receiver sets itself (`kuma.io/origin` always; and
 * `kuma.io/zone` from a zone, which the global sets from the stream's zone name). The receiver strips the same
 * keys from its stored copy to recompute the sender's version.
 */
export function exportedLabels(labels: Readonly<Record<string, string>> | undefined, direction: Direction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k === ORIGIN_LABEL) continue;
    if (direction === 'zoneToGlobal' && k === ZONE_LABEL) continue;
    out[k] = v;
  }
  return out;
}
