import pg from 'pg';
import { AlreadyExistsError, ConfigError, ConflictError, NotFoundError, errorMessage } from '../../../core/errors.js';
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
import { labelsJson, rowToResource, type ResourceRow } from '../resource-row.js';
import { ChangeFeed, readBounds } from './change-feed.js';
import { clientConfig, describeDatabase, poolConfig, resilientPool, type PostgresConfig } from './connection.js';
import { checkSchema } from './migrations.js';
import { CHANGE_LOG_LOCK, SQL } from './statements.js';

const keyParams = (type: ResourceTypeName, key: ResourceKey): [string, string, string] => [type, key.mesh, key.name];

/** Writes of one transaction: each collects its events; nothing is visible to anyone before COMMIT. */
class Tx {
  constructor(
    private readonly client: pg.PoolClient,
    readonly events: StoreEvent[],
    private readonly log: Logger,
  ) {}

  private async requireOwner(owner: OwnerRef): Promise<void> {
    const res = await this.client.query(SQL.lockOwner, keyParams(owner.type, owner));
    if (res.rowCount === 0) throw new NotFoundError(owner.type, owner.name, owner.mesh);
  }

  async create(type: ResourceTypeName, key: ResourceKey, spec: Spec, options: CreateOptions): Promise<Resource> {
    const params = keyParams(type, key);
    if ((await this.client.query(SQL.exists, params)).rowCount !== 0) throw new AlreadyExistsError(type, key.name, key.mesh);
    // Mesh-scoped resources are owned by their Mesh: it must exist, as an explicit owner must.
    if (key.mesh !== '') await this.requireOwner({ type: 'Mesh', mesh: '', name: key.mesh });
    if (options.owner) await this.requireOwner(options.owner);
    const time = options.creationTime ?? new Date().toISOString();
    const res = await this.client.query<ResourceRow>(SQL.insert, [
      ...params,
      JSON.stringify(spec),
      labelsJson(options.labels),
      time,
      options.owner?.type ?? null,
      options.owner?.mesh ?? null,
      options.owner?.name ?? null,
    ]);
    const row = res.rows[0];
    // Another instance created it between the check and the insert.
    if (!row) throw new AlreadyExistsError(type, key.name, key.mesh);
    const resource = rowToResource(row);
    this.events.push(storeEvent('create', type, resource));
    this.log.debug({ resource: describeKey(type, key) }, 'created');
    return resource;
  }

  async update(type: ResourceTypeName, key: ResourceKey, spec: Spec, options: UpdateOptions): Promise<Resource> {
    const params = keyParams(type, key);
    const res = await this.client.query<ResourceRow>(SQL.update, [
      ...params,
      JSON.stringify(spec),
      options.labels !== undefined,
      labelsJson(options.labels),
      new Date().toISOString(),
      options.expectedVersion ?? null,
    ]);
    const row = res.rows[0];
    if (!row) {
      if ((await this.client.query(SQL.exists, params)).rowCount === 0) throw new NotFoundError(type, key.name, key.mesh);
      throw new ConflictError(type, key.name, key.mesh, options.expectedVersion ?? 0);
    }
    const resource = rowToResource(row);
    this.events.push(storeEvent('update', type, resource));
    this.log.debug({ resource: describeKey(type, key), version: resource.meta.version }, 'updated');
    return resource;
  }

  async delete(type: ResourceTypeName, key: ResourceKey): Promise<void> {
    const params = keyParams(type, key);
    // Locking the root first waits for concurrent creates under it; the cascade then sees them.
    if ((await this.client.query(SQL.lockRoot, params)).rowCount === 0) throw new NotFoundError(type, key.name, key.mesh);
    const res = await this.client.query<ResourceRow>(SQL.deleteTree, params);
    const isRoot = (r: ResourceRow): boolean => r.type === type && r.mesh === key.mesh && r.name === key.name;
    const order = (r: ResourceRow): string => `${r.type}\u0000${r.mesh}\u0000${r.name}`;
    const rows = [...res.rows].sort((a, b) => (isRoot(a) ? -1 : isRoot(b) ? 1 : order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    for (const row of rows) this.events.push(storeEvent('delete', row.type as ResourceTypeName, rowToResource(row)));
    this.log.debug({ resource: describeKey(type, key), cascaded: rows.length - 1 }, 'deleted');
  }
}

/**
 * ResourceStore over Postgres (KUMA_STORE_TYPE=postgres), shared by any number of kuma-cp instances: the same
 * table, versions and owner cascade as the SQLite store, with row locks where SQLite relied on its single writer.
 * Every committed write reaches every instance's listeners through the change feed (change-feed.ts).
 */
export class PostgresStore implements ResourceStore {
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly feed: ChangeFeed,
    private readonly listeners: StoreListeners,
    private readonly instanceId: string,
    private readonly log: Logger,
    readonly database: string,
  ) {}

  /** Connects, refuses an unmigrated or newer schema (ConfigError), and starts following other instances' writes. */
  static async open(pgc: PostgresConfig, instanceId: string, log: Logger = logger('postgres-store')): Promise<PostgresStore> {
    const database = describeDatabase(pgc);
    const pool = resilientPool(poolConfig(pgc), log);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new ConfigError(`cannot connect to the Postgres store ${database}: ${errorMessage(err)}`);
    }
    let seq: number;
    try {
      await checkSchema(client);
      // The view's first list (StoreView.start) reads at least this far; the feed follows from here.
      seq = (await readBounds(client)).last;
    } catch (err) {
      client.release();
      await pool.end().catch(() => undefined);
      throw err;
    }
    client.release();
    const listeners = new StoreListeners(log);
    const feed = new ChangeFeed(pool, () => new pg.Client(clientConfig(pgc)), seq, (events) => listeners.emit(events), () => listeners.resync(), log);
    const store = new PostgresStore(pool, feed, listeners, instanceId, log, database);
    feed.start();
    log.info({ database, changeSeq: seq }, 'store opened');
    return store;
  }

  async create<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options: CreateOptions = {}): Promise<ResourceOf<N>> {
    return asResourceOf(type, await this.write((tx) => tx.create(type, key, spec, options)));
  }

  async update<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: Spec, options: UpdateOptions = {}): Promise<ResourceOf<N>> {
    return asResourceOf(type, await this.write((tx) => tx.update(type, key, spec, options)));
  }

  async delete(type: ResourceTypeName, key: ResourceKey): Promise<void> {
    await this.write((tx) => tx.delete(type, key));
  }

  async get<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N>> {
    const found = await this.find(type, key);
    if (!found) throw new NotFoundError(type, key.name, key.mesh);
    return found;
  }

  async find<N extends ResourceTypeName>(type: N, key: ResourceKey): Promise<ResourceOf<N> | undefined> {
    const res = await this.pool.query<ResourceRow>(SQL.get, keyParams(type, key));
    const row = res.rows[0];
    return row ? asResourceOf(type, rowToResource(row)) : undefined;
  }

  async list<N extends ResourceTypeName>(type: N, options: ListOptions = {}): Promise<ResourceOf<N>[]> {
    const { mesh, namePrefix } = options;
    const params: string[] = [type];
    if (mesh !== undefined) params.push(mesh);
    if (namePrefix !== undefined) params.push(namePrefix);
    const res = await this.pool.query<ResourceRow>(SQL.list(mesh !== undefined, namePrefix !== undefined), params);
    return res.rows.map((row) => asResourceOf(type, rowToResource(row)));
  }

  async transact(writes: readonly BatchWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.write(async (tx) => {
      for (const w of writes) {
        if (w.op === 'create') await tx.create(w.type, w.key, w.spec, w.options ?? {});
        else if (w.op === 'update') await tx.update(w.type, w.key, w.spec, w.options ?? {});
        else await tx.delete(w.type, w.key);
      }
    });
  }

  subscribe(listener: StoreListener): () => void {
    return this.listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.feed.close();
    await this.pool.end();
    this.listeners.clear();
    this.log.info({ database: this.database }, 'store closed');
  }

  /**
   * Runs `fn` in one transaction. A write that changed something appends its events to the change log and
   * notifies the other instances, in the same transaction; the events are emitted here after COMMIT, in commit order.
   */
  private async write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx = new Tx(client, [], this.log);
    let result: T;
    let seq: number | undefined;
    try {
      await client.query('BEGIN');
      result = await fn(tx);
      if (tx.events.length > 0) {
        await client.query(SQL.changeLogLock, [CHANGE_LOG_LOCK]);
        const appended = await client.query<{ seq: string }>(SQL.appendChange, [this.instanceId, JSON.stringify(tx.events)]);
        seq = Number(appended.rows[0]?.seq);
        await client.query(SQL.notify, [String(seq)]);
      }
      await client.query('COMMIT');
      client.release();
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A broken connection is discarded rather than returned to the pool.
      client.release(err instanceof Error && !(err instanceof NotFoundError || err instanceof AlreadyExistsError || err instanceof ConflictError) ? err : undefined);
      throw err;
    }
    if (seq !== undefined) await this.feed.committed(seq, tx.events);
    return result;
  }
}
