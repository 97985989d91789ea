import { ZONE_TAG } from './well-known-tags.js';

/** Label on KDS-synced copies: where the resource came from (`global` on a zone, `zone` on the global). */
export const ORIGIN_LABEL = 'kuma.io/origin';
/** Label on zone-originated copies on the global: which zone sent them (same key as the zone tag). */
export const ZONE_LABEL = ZONE_TAG;

/** Was this resource synced here by KDS from the other side? */
export function isSynced(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels?.[ORIGIN_LABEL] !== undefined;
}
