import pg from 'pg';
import { errorMessage } from '../../../core/errors.js';
import type { Logger } from '../../../core/logging.js';
import type { StoreEvent } from '../../../core/store/resource-store.js';
import { backoffDelay } from '../../../core/runtime/supervisor.js';
import { CHANGES_CHANNEL, SQL } from './statements.js';

/** A missed notification is noticed within this (the log is read even if no NOTIFY arrives). */
const POLL_MS = 2000;
const PRUNE_EVERY_MS = 60_000;
/** Change-log rows older than this are dropped; an instance that fell further behind re-lists. */
const RETENTION_SECONDS = 600;
const READ_BATCH = 500;
const RECONNECT = { baseMs: 250, maxMs: 5000 } as const;

type Emit = (events: readonly StoreEvent[]) => void;
/** The subscribers re-list (the store view); resolves once they have. */
type Resync = () => Promise<void>;

/**
 * Delivers every committed write of every instance to this process's store listeners, in commit order, once.
 *
 * Each write transaction appends its events to `resource_changes` and NOTIFYs the sequence number (the payload
 * stays tiny, whatever the events' size). This instance's own writes are delivered as soon as they commit
 * (before the write settles), after any earlier change of other instances. A dedicated connection LISTENs; the
 * log is also polled, so a lost notification is noticed. When the channel comes back the feed reads the log from
 * where it stopped; when that part of the log is gone (pruned, or the database was replaced) it asks its
 * listeners to re-list (the store view diffs the list against what it holds) and follows the log from there.
 * The feed itself keeps no copy of the resources: the view is the one place that knows what this process saw.
 */
export class ChangeFeed {
  private lastSeen: number;
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
    /** The change-log position this instance starts following from. */
    seq: number,
    private readonly emit: Emit,
    private readonly relist: Resync,
    private readonly log: Logger,
  ) {
    this.lastSeen = seq;
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
    let gap: { reason: string; seq: number } | undefined;
    const client = await this.pool.connect();
    try {
      const { pruned, last } = await readBounds(client);
      if (this.lastSeen < pruned || this.lastSeen > last) {
        gap = { reason: this.lastSeen < pruned ? 'the change log was pruned past this instance' : 'the change log is behind this instance', seq: last };
      } else {
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
      }
    } finally {
      // Released before a resync: the listeners list through the same pool.
      client.release();
    }
    if (gap) await this.resync(gap.reason, gap.seq);
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
    this.emit(events);
  }

  /**
   * The changes after lastSeen are gone from the log: the listeners re-list (everything up to `seq` is in what
   * they list), then the feed follows the log from `seq`. If they cannot, lastSeen stays and the next poll asks
   * again. Own writes up to `seq` are in the list and are not delivered again.
   */
  private async resync(reason: string, seq: number): Promise<void> {
    this.log.warn({ reason, fromSeq: this.lastSeen, toSeq: seq }, 'change log gap: re-listing every resource');
    await this.relist();
    this.lastSeen = seq;
    for (const own of [...this.own.keys()]) if (own <= seq) this.own.delete(own);
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

/** The change log's first missing position (pruned through) and last position; `last` never below `pruned`. */
export async function readBounds(client: pg.ClientBase): Promise<{ pruned: number; last: number }> {
  const bounds = await client.query<{ pruned_through: string; last: string }>(SQL.changeLogBounds);
  const pruned = Number(bounds.rows[0]?.pruned_through ?? 0);
  return { pruned, last: Math.max(pruned, Number(bounds.rows[0]?.last ?? 0)) };
}
