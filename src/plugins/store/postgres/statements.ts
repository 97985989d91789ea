/** The Postgres store's SQL, in one place. Parameters are positional ($1...); keys are (type, mesh, name). */

export const COLUMNS = 'type, mesh, name, version, spec, labels, creation_time, modification_time, owner_type, owner_mesh, owner_name';

const KEY = 'type = $1 AND mesh = $2 AND name = $3';

/** The channel a committed write notifies; the payload is only the change-log sequence number. */
export const CHANGES_CHANNEL = 'kuma_resource_changes';

/**
 * Held from the change-log insert to COMMIT, so change-log sequence numbers are committed in increasing order
 * and a reader that has seen seq N has also seen every committed write below N.
 */
export const CHANGE_LOG_LOCK = 0x6b756d62;

export const SQL = {
  get: `SELECT ${COLUMNS} FROM resources WHERE ${KEY}`,
  exists: `SELECT 1 FROM resources WHERE ${KEY}`,
  /** An owner must exist and must not be deleted before this transaction commits. */
  lockOwner: `SELECT 1 FROM resources WHERE ${KEY} FOR KEY SHARE`,
  /** Taken before a cascade so that concurrent creates under this root finish (or fail) first. */
  lockRoot: `SELECT ${COLUMNS} FROM resources WHERE ${KEY} FOR UPDATE`,
  insert: `INSERT INTO resources (${COLUMNS}) VALUES ($1, $2, $3, 1, $4, $5, $6, $6, $7, $8, $9)
           ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
  /** $4 spec, $5 whether labels are replaced, $6 labels, $7 modification time, $8 expected version (NULL = any). */
  update: `UPDATE resources SET version = version + 1, spec = $4, labels = CASE WHEN $5 THEN $6 ELSE labels END, modification_time = $7
           WHERE ${KEY} AND ($8::integer IS NULL OR version = $8) RETURNING ${COLUMNS}`,
  /**
   * Deletes the tree rooted at $1/$2/$3: resources whose explicit owner is in the tree, plus, for a Mesh, every
   * resource of that mesh. UNION (not UNION ALL) visits every node once.
   */
  deleteTree: `
    WITH RECURSIVE tree(type, mesh, name) AS (
      SELECT $1::text COLLATE "C", $2::text COLLATE "C", $3::text COLLATE "C"
      UNION
      SELECT r.type, r.mesh, r.name FROM resources r JOIN tree t
        ON (r.owner_type = t.type AND r.owner_mesh = t.mesh AND r.owner_name = t.name)
        OR (t.type = 'Mesh' AND t.mesh = '' AND r.mesh = t.name AND r.mesh <> '')
    )
    DELETE FROM resources r USING tree t WHERE r.type = t.type AND r.mesh = t.mesh AND r.name = t.name
    RETURNING r.type, r.mesh, r.name, r.version, r.spec, r.labels, r.creation_time, r.modification_time, r.owner_type, r.owner_mesh, r.owner_name`,
  list: (mesh: boolean, prefix: boolean): string => {
    const where = ['type = $1'];
    if (mesh) where.push(`mesh = $${where.length + 1}`);
    if (prefix) where.push(`left(name, length($${where.length + 1})) = $${where.length + 1}`);
    return `SELECT ${COLUMNS} FROM resources WHERE ${where.join(' AND ')} ORDER BY mesh, name`;
  },
  changeLogLock: 'SELECT pg_advisory_xact_lock($1)',
  appendChange: 'INSERT INTO resource_changes (instance, events) VALUES ($1, $2) RETURNING seq',
  notify: `SELECT pg_notify('${CHANGES_CHANNEL}', $1)`,
  /** Changes after $1, up to $2 (NULL = all), in commit order. */
  readChanges: 'SELECT seq, events FROM resource_changes WHERE seq > $1 AND ($2::bigint IS NULL OR seq <= $2) ORDER BY seq LIMIT $3',
  changeLogBounds: `SELECT pruned_through, (SELECT coalesce(max(seq), 0) FROM resource_changes) AS last FROM resource_changes_pruned`,
  /** Drops change-log rows older than the retention and records how far the log was pruned. */
  pruneChanges: `
    WITH gone AS (DELETE FROM resource_changes WHERE created_at < now() - make_interval(secs => $1) RETURNING seq)
    UPDATE resource_changes_pruned SET pruned_through = greatest(pruned_through, (SELECT max(seq) FROM gone))
    WHERE EXISTS (SELECT 1 FROM gone)`,
} as const;
