import pg from 'pg';
import { errorMessage } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import type { Resource, ResourceTypeName } from '../../../core/resources/model.js';
import type { StoreEvent } from '../../../core/store/resource-store.js';
import { backoffDelay } from '../../../core/runtime/supervisor.js';
import { rowToResource, type ResourceRow } from '../resource-row.js';
import { CHANGES_CHANNEL, SQL } from './statements.js';

/** A missed notification is noticed within this (the log is read even if no NOTIFY arrives). */
const POLL_MS = 2000;
const PRUNE_EVERY_MS = 60_000;
/** Change-log rows older than this are dropped; an instance that fell further behind re-lists. */
const RETENTION_SECONDS = 600;
const READ_BATCH = 500;
const RECONNECT = { baseMs: 250, maxMs: 5000 };

type Emit = (events: readonly StoreEvent[]) => void;

const indexKey = (type: string, mesh: string, name: string): string => `${type}\u0000${mesh}\u0000${name}`;

/** What the feed remembers of each resource, to tell what changed when it must re-list. */
interface Known {
  readonly version: number;
  readonly modificationTime: string;
}

/** The resources at one instant, with the change-log position they correspond to. */
export interface Snapshot {
  readonly rows: readonly ResourceRow[];
  readonly seq: number;
}

/**
 * Delivers every committed write of every instance to this process's store listeners, in commit order, once.
 *
 * Each write transaction appends its events to `resource_changes` and NOTIFYs the sequence number (the payload
 * stays tiny, whatever the events' size). This instance's own writes are delivered as soon as they commit
 * (before the write settles), after any earlier change of other instances. A dedicated connection LISTENs; the
 * log is also polled, so a lost notification is noticed. When the channel comes back the feed reads the log from
 * where it stopped; when that part of the log is gone (pruned, or the database was replaced) it re-lists every
 * resource and emits the differences against what it had delivered (create/update/delete).
 */
export class ChangeFeed {
  private lastSeen: number;
  private readonly known = new Map<string, Known>();
  /** Own committed writes not yet delivered, by sequence number. */
  private readonly own = new Map<number, readonly StoreEvent[]>();
  private chain: Promise<void> = Promise.resolve();
  private kickQueued = false;
  private closed = false;
  private readonly stop = new AbortController();
  private channelUp = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private loop: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connect: () => pg.Client,
    snapshot: Snapshot,
    private readonly emit: Emit,
    private readonly log: Logger,
  ) {
    this.lastSeen = snapshot.seq;
    for (const row of snapshot.rows) this.known.set(indexKey(row.type, row.mesh, row.name), { version: row.version, modificationTime: row.modification_time });
  }

  start(): void {
    this.loop = this.listenLoop();
    this.timers.push(setInterval(() => this.kick(), POLL_MS).unref());
    this.timers.push(setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref());
  }

  /** Whether the LISTEN connection is up (for logs and tests). */
  get listening(): boolean {
    return this.channelUp;
  }

  /** An own write committed as `seq`: delivers it, after any earlier change, before returning. */
  committed(seq: number, events: readonly StoreEvent[]): Promise<void> {
    this.own.set(seq, events);
    return this.serial(() => this.advance(seq));
  }

  /** Reads the log for changes of other instances (on NOTIFY, on the poll, after reconnecting). */
  kick(): void {
    if (this.kickQueued || this.closed) return;
    this.kickQueued = true;
    void this.serial(async () => {
      this.kickQueued = false;
      await this.advance(undefined);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.stop.abort();
    await this.loop;
    await this.chain;
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch((err: unknown) => {
      this.log.warn({ err: errorMessage(err) }, 'reading the change log failed; retrying on the next poll');
    });
    return this.chain;
  }

  /** Delivers changes after lastSeen, up to `until` (an own write) or all (a kick). */
  private async advance(until: number | undefined): Promise<void> {
    if (until !== undefined && until <= this.lastSeen) return;
    if (until !== undefined && this.ownCovers(until)) {
      this.deliverOwnThrough(until);
      return;
    }
    const client = await this.pool.connect();
    try {
      const bounds = await client.query<{ pruned_through: string; last: string }>(SQL.changeLogBounds);
      const pruned = Number(bounds.rows[0]?.pruned_through ?? 0);
      const last = Math.max(pruned, Number(bounds.rows[0]?.last ?? 0));
      if (this.lastSeen < pruned || this.lastSeen > last) {
        await this.resync(client, this.lastSeen < pruned ? 'the change log was pruned past this instance' : 'the change log is behind this instance');
        return;
      }
      for (;;) {
        const res = await client.query<{ seq: string; events: string }>(SQL.readChanges, [this.lastSeen, until ?? null, READ_BATCH]);
        for (const row of res.rows) {
          const seq = Number(row.seq);
          const events = this.own.get(seq) ?? (JSON.parse(row.events) as StoreEvent[]);
          this.deliver(seq, events);
        }
        if (res.rows.length < READ_BATCH) break;
      }
      // An own write whose row is not visible yet cannot exist (its commit precedes this call), but never lose one.
      if (until !== undefined) this.deliverOwnThrough(until);
    } finally {
      client.release();
    }
  }

  /** True when every sequence number in (lastSeen, until] is an own, not yet delivered write: no read needed. */
  private ownCovers(until: number): boolean {
    for (let s = this.lastSeen + 1; s <= until; s++) if (!this.own.has(s)) return false;
    return true;
  }

  private deliverOwnThrough(until: number): void {
    for (const seq of [...this.own.keys()].sort((a, b) => a - b)) {
      if (seq > until) break;
      const events = this.own.get(seq);
      if (events) this.deliver(seq, events);
    }
  }

  private deliver(seq: number, events: readonly StoreEvent[]): void {
    this.own.delete(seq);
    if (seq <= this.lastSeen) return;
    this.lastSeen = seq;
    this.remember(events);
    this.emit(events);
  }

  private remember(events: readonly StoreEvent[]): void {
    for (const e of events) {
      const k = indexKey(e.type, e.resource.meta.mesh, e.resource.meta.name);
      if (e.op === 'delete') this.known.delete(k);
      else this.known.set(k, { version: e.resource.meta.version, modificationTime: e.resource.meta.modificationTime });
    }
  }

  /** Re-lists everything and emits what differs from what was delivered, as one batch. */
  private async resync(client: pg.PoolClient, reason: string): Promise<void> {
    const snapshot = await readSnapshot(client);
    const events: StoreEvent[] = [];
    const seen = new Set<string>();
    for (const row of snapshot.rows) {
      const k = indexKey(row.type, row.mesh, row.name);
      seen.add(k);
      const before = this.known.get(k);
      if (!before) events.push({ op: 'create', type: row.type as ResourceTypeName, resource: rowToResource(row) });
      else if (before.version !== row.version || before.modificationTime !== row.modification_time) {
        events.push({ op: 'update', type: row.type as ResourceTypeName, resource: rowToResource(row) });
      }
    }
    for (const [k, before] of this.known) {
      if (seen.has(k)) continue;
      const [type, mesh, name] = k.split('\u0000') as [ResourceTypeName, string, string];
      // Its last state is gone with the log: the delete names the resource and its last known version.
      const resource: Resource = { type, meta: { name, mesh, version: before.version, creationTime: '', modificationTime: before.modificationTime }, spec: {} };
      events.push({ op: 'delete', type, resource });
    }
    this.log.warn({ reason, changes: events.length, fromSeq: this.lastSeen, toSeq: snapshot.seq }, 'resynchronised with the database by re-listing');
    this.lastSeen = snapshot.seq;
    for (const seq of [...this.own.keys()]) if (seq <= snapshot.seq) this.own.delete(seq);
    this.remember(events);
    if (events.length > 0) this.emit(events);
  }

  private async listenLoop(): Promise<void> {
    const stopped = new Promise<string>((resolve) => this.stop.signal.addEventListener('abort', () => resolve('closed'), { once: true }));
    let attempt = 0;
    let wasLost = false;
    while (!this.closed) {
      const client = this.connect();
      const ended = new Promise<string>((resolve) => {
        client.on('error', (err) => resolve(errorMessage(err)));
        client.once('end', () => resolve('connection closed'));
      });
      client.on('notification', () => this.kick());
      try {
        await Promise.race([client.connect(), stopped]);
        if (this.closed) break;
        await client.query(`LISTEN ${CHANGES_CHANNEL}`);
        this.channelUp = true;
        attempt = 0;
        if (wasLost) this.log.info('change notifications restored; catching up from the change log');
        this.kick();
        const reason = await Promise.race([ended, stopped]);
        this.channelUp = false;
        if (this.closed) break;
        wasLost = true;
        this.log.warn({ reason }, 'change notification channel lost; reconnecting');
      } catch (err) {
        this.channelUp = false;
        if (this.closed) break;
        wasLost = true;
        this.log.warn({ err: errorMessage(err) }, 'cannot listen for changes; retrying');
      } finally {
        void client.end().catch(() => undefined);
      }
      await Promise.race([new Promise((r) => setTimeout(r, backoffDelay(RECONNECT, attempt++))), stopped]);
    }
  }

  private async prune(): Promise<void> {
    try {
      const res = await this.pool.query(SQL.pruneChanges, [RETENTION_SECONDS]);
      if ((res.rowCount ?? 0) > 0) this.log.debug('change log pruned');
    } catch (err) {
      this.log.debug({ err: errorMessage(err) }, 'change log pruning failed');
    }
  }
}

/** Every resource and the change-log position it corresponds to, read in one consistent snapshot. */
export async function readSnapshot(client: pg.ClientBase): Promise<Snapshot> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const rows = await client.query<ResourceRow>(SQL.listEverything);
    const bounds = await client.query<{ pruned_through: string; last: string }>(SQL.changeLogBounds);
    await client.query('COMMIT');
    const seq = Math.max(Number(bounds.rows[0]?.pruned_through ?? 0), Number(bounds.rows[0]?.last ?? 0));
    return { rows: rows.rows, seq };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
