import { BadRequestError } from '../core/errors.js';
import type { Resource } from '../core/resources/model.js';
import type { DataplaneSpec, Tags } from '../core/resources/specs.js';

export interface DataplaneFilter {
  /** `tag=key:value` (repeatable): some inbound (or the gateway) has every key with a value containing the given one. */
  readonly tags: Readonly<Tags>;
  readonly gateway: boolean | undefined;
  readonly ingress: boolean | undefined;
}

/** Parses `tag`, `gateway` and `ingress` query parameters (Kuma 1.1 semantics; malformed `tag`s are ignored like Kuma does). */
export function parseDataplaneFilter(query: URLSearchParams): DataplaneFilter {
  const tags: Tags = {};
  for (const raw of query.getAll('tag')) {
    const i = raw.indexOf(':');
    if (i <= 0) continue;
    tags[raw.slice(0, i)] = raw.slice(i + 1);
  }
  return { tags, gateway: parseBool(query, 'gateway'), ingress: parseBool(query, 'ingress') };
}

function parseBool(query: URLSearchParams, field: string): boolean | undefined {
  const v = query.get(field);
  if (v === null || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new BadRequestError(`Invalid ${field} parameter`, [{ field, message: 'must be true or false' }]);
}

export function matchesFilter(spec: Partial<DataplaneSpec>, filter: DataplaneFilter): boolean {
  const networking = spec.networking;
  if (filter.gateway !== undefined && filter.gateway !== (networking?.gateway !== undefined)) return false;
  if (filter.ingress !== undefined && filter.ingress !== (networking?.ingress !== undefined)) return false;
  const wanted = Object.entries(filter.tags);
  if (wanted.length === 0) return true;
  const tagSets: Tags[] = networking?.gateway ? [networking.gateway.tags] : (networking?.inbound ?? []).map((i) => i.tags);
  return tagSets.some((tags) => wanted.every(([k, v]) => tags?.[k] !== undefined && tags[k].includes(v)));
}

/** Kuma's DataplaneOverview: the Dataplane's meta, its spec under `dataplane`, its insight (or `{}`) under `dataplaneInsight`. */
export function dataplaneOverview(dataplane: Resource, insight: Resource | undefined): Record<string, unknown> {
  return {
    type: 'DataplaneOverview',
    mesh: dataplane.meta.mesh,
    name: dataplane.meta.name,
    creationTime: dataplane.meta.creationTime,
    modificationTime: dataplane.meta.modificationTime,
    dataplane: dataplane.spec,
    dataplaneInsight: insight?.spec ?? {},
  };
}
