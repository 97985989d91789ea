import type { Database, Statement } from 'better-sqlite3';
import type { ResourceRow, RowParams } from '../resource-row.js';

export interface KeyParams {
  type: string;
  mesh: string;
  name: string;
}

interface UpdateParams extends KeyParams {
  version: number;
  expected_version: number;
  spec: string;
  labels: string | null;
  modification_time: string;
}

/**
 * Everything an owned tree is made of, starting at (type, mesh, name): resources whose explicit owner is in the
 * tree, plus, for a Mesh, every resource of that mesh. UNION (not UNION ALL) makes every node appear once.
 */
const OWNED_TREE = `
  WITH RECURSIVE tree(type, mesh, name) AS (
    SELECT @type, @mesh, @name
    UNION
    SELECT r.type, r.mesh, r.name FROM resources r JOIN tree t
      ON r.owner_type = t.type AND r.owner_mesh = t.mesh AND r.owner_name = t.name
    UNION
    SELECT r.type, r.mesh, r.name FROM resources r JOIN tree t
      ON t.type = 'Mesh' AND t.mesh = '' AND r.mesh = t.name AND r.mesh <> ''
  )`;

const COLUMNS = 'type, mesh, name, version, spec, labels, creation_time, modification_time, owner_type, owner_mesh, owner_name';

/** The store's SQL, prepared once per connection. */
export class Statements {
  readonly get: Statement<[KeyParams], ResourceRow>;
  readonly insert: Statement<[RowParams]>;
  readonly update: Statement<[UpdateParams]>;
  readonly ownedBy: Statement<[KeyParams], ResourceRow>;
  readonly deleteTree: Statement<[KeyParams]>;
  readonly listAll: Statement<[{ type: string }], ResourceRow>;
  readonly listMesh: Statement<[{ type: string; mesh: string }], ResourceRow>;
  readonly listPrefix: Statement<[{ type: string; prefix: string }], ResourceRow>;
  readonly listMeshPrefix: Statement<[{ type: string; mesh: string; prefix: string }], ResourceRow>;

  constructor(db: Database) {
    const key = 'type = @type AND mesh = @mesh AND name = @name';
    const prefix = 'substr(name, 1, length(@prefix)) = @prefix';
    const list = (where: string): string => `SELECT ${COLUMNS} FROM resources WHERE type = @type${where} ORDER BY mesh, name`;
    this.get = db.prepare(`SELECT ${COLUMNS} FROM resources WHERE ${key}`);
    this.insert = db.prepare(
      `INSERT INTO resources (${COLUMNS}) VALUES (@type, @mesh, @name, @version, @spec, @labels, @creation_time, @modification_time, @owner_type, @owner_mesh, @owner_name)`,
    );
    this.update = db.prepare(
      `UPDATE resources SET version = @version, spec = @spec, labels = @labels, modification_time = @modification_time
       WHERE ${key} AND version = @expected_version`,
    );
    // Every resource of the tree except its root.
    this.ownedBy = db.prepare(
      `${OWNED_TREE} SELECT ${COLUMNS} FROM resources WHERE (type, mesh, name) IN (SELECT type, mesh, name FROM tree)
       AND NOT (${key}) ORDER BY type, mesh, name`,
    );
    this.deleteTree = db.prepare(`${OWNED_TREE} DELETE FROM resources WHERE (type, mesh, name) IN (SELECT type, mesh, name FROM tree)`);
    this.listAll = db.prepare(list(''));
    this.listMesh = db.prepare(list(' AND mesh = @mesh'));
    this.listPrefix = db.prepare(list(` AND ${prefix}`));
    this.listMeshPrefix = db.prepare(list(` AND mesh = @mesh AND ${prefix}`));
  }
}
