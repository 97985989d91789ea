import type { Resource, ResourceMeta, ResourceTypeName, Spec } from '../../core/resources/model.js';

/** A row of the `resources` table as the SQL stores (SQLite, Postgres) return it. */
export interface ResourceRow {
  readonly type: string;
  readonly mesh: string;
  readonly name: string;
  readonly version: number;
  readonly spec: string;
  readonly labels: string | null;
  readonly creation_time: string;
  readonly modification_time: string;
  readonly owner_type: string | null;
  readonly owner_mesh: string | null;
  readonly owner_name: string | null;
}

/** Named parameters of an insert or update. */
export interface RowParams {
  type: string;
  mesh: string;
  name: string;
  version: number;
  spec: string;
  labels: string | null;
  creation_time: string;
  modification_time: string;
  owner_type: string | null;
  owner_mesh: string | null;
  owner_name: string | null;
}

/** Builds a fresh Resource from a row: the spec and labels are parsed anew, so callers never share state. */
export function rowToResource(row: ResourceRow): Resource {
  const meta: ResourceMeta = {
    name: row.name,
    mesh: row.mesh,
    version: row.version,
    creationTime: row.creation_time,
    modificationTime: row.modification_time,
    ...(row.labels === null ? {} : { labels: JSON.parse(row.labels) as Record<string, string> }),
  };
  // The store only holds types it was given; the type column is written from ResourceTypeName values.
  return { type: row.type as ResourceTypeName, meta, spec: JSON.parse(row.spec) as Spec };
}

export function labelsJson(labels: Readonly<Record<string, string>> | undefined): string | null {
  return labels === undefined ? null : JSON.stringify(labels);
}
