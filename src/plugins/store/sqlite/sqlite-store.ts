import type Database from 'better-sqlite3';
import { AlreadyExistsError, ConflictError, NotFoundError, StoreUnavailableError } from '../../../core/errors.js';
import { logger, type Logger } from '../../../core/logging.js';
import { describeKey, type OwnerRef, type Resource, type ResourceKey, type ResourceTypeName, type Spec } from '../../../core/resources/model.js';
import type {
  BatchWrite,
  CreateOptions,
  ListOptions,
  ResourceStore,
  StoreEvent,
  StoreListener,
  UpdateOptions,
} from '../../../core/store/resource-store.js';
import { StoreListeners } from '../../../core/store/store-listeners.js';
import { storeEvent } from '../../../core/store/resource-store.js';
import { asResourceOf, type ResourceOf } from '../../../core/resources/typed-resource.js';
import { promiseTry } from '../../../core/promise-try.js';
import { DatabaseFileGuard } from './file-guard.js';
import { migrate } from './migrations.js';
import { openDatabase } from './open-database.js';
import { labelsJson, rowToResource, type ResourceRow, type RowParams } from '../resource-row.js';
import { Statements, type KeyParams } from './statements.js';

function keyParams(type: ResourceTypeName, key: ResourceKey): KeyParams {
  return { type, mesh: key.mesh, name: key.name };
}

/**
 * ResourceStore over one SQLite file (better-sqlite3: synchronous underneath, so each method completes its
 * transaction before its promise settles). Writes run in IMMEDIATE transactions; listeners are called after COMMIT.
 */
export class SqliteStore implements ResourceStore {
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly log: Logger;
  private readonly listeners: StoreListeners;
  private readonly file: DatabaseFileGuard;
  private reportedProblem = false;

  constructor(
    readonly path: string,
    log: Logger = logger('sqlite-store'),
  ) {
    this.log = log;
    this.listeners = new StoreListeners(this.log);
    this.db = openDatabase(path);
    this.file = new DatabaseFileGuard(path);
    try {
      const result = migrate(this.db);
      for (const m of result.applied) this.log.info({ path, version: m.version, migration: m.name }, 'schema migration applied');
      this.sql = new Statements(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.log.info({ path }, 'store opened');
  }

  create<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options: CreateOptions = {}): Promise<ResourceOf<N>> {
    return promiseTry(() => asResourceOf(type, this.commit((events) => this.applyCreate(type, key, spec, options, events))));
  }

  update<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options: UpdateOptions = {}): Promise<ResourceOf<N>> {
    return promiseTry(() => asResourceOf(type, this.commit((events) => this.applyUpdate(type, key, spec, options, events))));
  }

  delete(type: ResourceTypeName, key: ResourceKey): Promise<void> {
    return promiseTry(() => {
      this.commit((events) => this.applyDelete(type, key, events));
    });
  }

  get<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N>> {
    return promiseTry(() => {
      const row = this.sql.get.get(keyParams(type, key));
      if (!row) throw new NotFoundError(type, key.name, key.mesh);
      return asResourceOf(type, rowToResource(row));
    });
  }

  find<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N> | undefined> {
    return promiseTry(() => {
      const row = this.sql.get.get(keyParams(type, key));
      return row ? asResourceOf(type, rowToResource(row)) : undefined;
    });
  }

  list<N extends ResourceTypeName>(type: N, options: ListOptions = {}): Promise<ResourceOf<N>[]> {
    return promiseTry(() => {
      const { mesh, namePrefix: prefix } = options;
      let rows: ResourceRow[];
      if (mesh !== undefined && prefix !== undefined) rows = this.sql.listMeshPrefix.all({ type, mesh, prefix });
      else if (mesh !== undefined) rows = this.sql.listMesh.all({ type, mesh });
      else if (prefix !== undefined) rows = this.sql.listPrefix.all({ type, prefix });
      else rows = this.sql.listAll.all({ type });
      return rows.map((row) => asResourceOf(type, rowToResource(row)));
    });
  }

  transact(writes: readonly BatchWrite[]): Promise<void> {
    return promiseTry(() => {
      this.commit((events) => {
        for (const w of writes) {
          if (w.op === 'create') this.applyCreate(w.type, w.key, w.spec, w.options ?? {}, events);
          else if (w.op === 'update') this.applyUpdate(w.type, w.key, w.spec, w.options ?? {}, events);
          else this.applyDelete(w.type, w.key, events);
        }
      });
    });
  }

  subscribe(listener: StoreListener): () => void {
    return this.listeners.subscribe(listener);
  }

  close(): Promise<void> {
    return promiseTry(() => {
      if (!this.db.open) return;
      this.db.close();
      this.listeners.clear();
      this.log.info({ path: this.path }, 'store closed');
    });
  }

  /** Why the store cannot take writes (its file was deleted or replaced), or undefined while it can. */
  unavailableReason(): string | undefined {
    const problem = this.file.check();
    if (problem !== undefined && !this.reportedProblem) {
      this.reportedProblem = true;
      this.log.error({ path: this.path, problem }, 'store unavailable: refusing writes until restarted on a sound database file');
    }
    return problem;
  }

  /** Runs `fn` in one IMMEDIATE transaction; on success emits the events it collected, on failure nothing. */
  private commit<T>(fn: (events: StoreEvent[]) => T): T {
    const problem = this.unavailableReason();
    if (problem !== undefined) throw new StoreUnavailableError(problem);
    const events: StoreEvent[] = [];
    // better-sqlite3 caches the BEGIN/COMMIT statements per connection, so a wrapper per call is cheap.
    const result = this.db.transaction(() => fn(events)).immediate();
    this.listeners.emit(events);
    return result;
  }

  private requireOwner(owner: OwnerRef): void {
    if (!this.sql.get.get(keyParams(owner.type, owner))) throw new NotFoundError(owner.type, owner.name, owner.mesh);
  }

  private applyCreate(type: ResourceTypeName, key: ResourceKey, spec: Spec, options: CreateOptions, events: StoreEvent[]): Resource {
    if (this.sql.get.get(keyParams(type, key))) throw new AlreadyExistsError(type, key.name, key.mesh);
    // Mesh-scoped resources are owned by their Mesh: it must exist, as an explicit owner must.
    if (key.mesh !== '') this.requireOwner({ type: 'Mesh', mesh: '', name: key.mesh });
    if (options.owner) this.requireOwner(options.owner);
    const time = options.creationTime ?? new Date().toISOString();
    const row: RowParams = {
      ...keyParams(type, key),
      version: 1,
      spec: JSON.stringify(spec),
      labels: labelsJson(options.labels),
      creation_time: time,
      modification_time: time,
      owner_type: options.owner?.type ?? null,
      owner_mesh: options.owner?.mesh ?? null,
      owner_name: options.owner?.name ?? null,
    };
    this.sql.insert.run(row);
    const resource = rowToResource(row);
    events.push(storeEvent('create', type, resource));
    this.log.debug({ resource: describeKey(type, key) }, 'created');
    return resource;
  }

  private applyUpdate(type: ResourceTypeName, key: ResourceKey, spec: Spec, options: UpdateOptions, events: StoreEvent[]): Resource {
    const current = this.sql.get.get(keyParams(type, key));
    if (!current) throw new NotFoundError(type, key.name, key.mesh);
    const expected = options.expectedVersion ?? current.version;
    const next: ResourceRow = {
      ...current,
      version: current.version + 1,
      spec: JSON.stringify(spec),
      labels: options.labels === undefined ? current.labels : labelsJson(options.labels),
      modification_time: new Date().toISOString(),
    };
    const { changes } = this.sql.update.run({
      ...keyParams(type, key),
      version: next.version,
      expected_version: expected,
      spec: next.spec,
      labels: next.labels,
      modification_time: next.modification_time,
    });
    if (changes === 0) throw new ConflictError(type, key.name, key.mesh, expected);
    const resource = rowToResource(next);
    events.push(storeEvent('update', type, resource));
    this.log.debug({ resource: describeKey(type, key), version: next.version }, 'updated');
    return resource;
  }

  private applyDelete(type: ResourceTypeName, key: ResourceKey, events: StoreEvent[]): void {
    const params = keyParams(type, key);
    const root = this.sql.get.get(params);
    if (!root) throw new NotFoundError(type, key.name, key.mesh);
    const owned = this.sql.ownedBy.all(params);
    this.sql.deleteTree.run(params);
    for (const row of [root, ...owned]) events.push(storeEvent('delete', row.type as ResourceTypeName, rowToResource(row)));
    this.log.debug({ resource: describeKey(type, key), cascaded: owned.length }, 'deleted');
  }
}
