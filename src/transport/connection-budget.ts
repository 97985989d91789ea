import type { Logger } from '../core/logging.js';
import type { ConnectionMetrics, RefusalReason } from './connection-metrics.js';

/**
 * Descriptors kept out of the budget for everything but accepted connections: stdio, the event loop, the
 * listening and DNS/UDP sockets, the SQLite database with its WAL and shared memory, certificate, config and
 * token files read at run time, the zone's outgoing KDS connection, short-lived child processes.
 */
export const BASE_RESERVED_FDS = 128;
/** Plus this share of the limit, for what grows with load (pending file reads, log destinations). */
export const RESERVED_FDS_SHARE = 0.1;

export interface BudgetSize {
  /** Connections all the CP's ports may hold together (Infinity when the open-file limit is unknown). */
  readonly connections: number;
  /** The soft RLIMIT_NOFILE it was derived from; undefined = unlimited or unknown. */
  readonly openFileLimit: number | undefined;
  /** Descriptors kept for everything else (`extraReserved` included: the Postgres pool). */
  readonly reserved: number;
}

/** The budget an open-file limit leaves once `extraReserved` (e.g. the Postgres pool) and the base reserve are set aside. */
export function budgetSize(openFileLimit: number | undefined, extraReserved: number): BudgetSize {
  if (openFileLimit === undefined) return { connections: Infinity, openFileLimit, reserved: 0 };
  const reserved = BASE_RESERVED_FDS + extraReserved + Math.ceil(openFileLimit * RESERVED_FDS_SHARE);
  // Below 16 the CP cannot serve anyway; it still answers a few rather than none.
  return { connections: Math.max(16, openFileLimit - reserved), openFileLimit, reserved };
}

/** Refusals for lack of budget are logged at most this often (process-wide), with counts. */
const LOG_EVERY_MS = 10_000;

/** One port's part of the budget. */
export class BudgetShare {
  open = 0;
  constructor(readonly server: string) {}
}

/**
 * The connections the whole process may hold, shared by every listening port. Half of it is split into a
 * reserve per port, so a flood that fills the budget through one port (or several) never leaves another
 * port without connections: a port past its reserve is admitted only while the unused reserves of the
 * other ports stay free. A refused connection is closed at once by its port; nothing is queued.
 */
export class ConnectionBudget {
  private readonly shares = new Set<BudgetShare>();
  private openTotal = 0;
  private refused = 0;
  private lastLog = 0;

  /** `metrics`: the runtime's connection metrics; none in tests and benches that build a budget alone. */
  constructor(
    readonly size: BudgetSize,
    private readonly log: Logger,
    private readonly metrics?: ConnectionMetrics,
  ) {
    if (Number.isFinite(size.connections)) metrics?.budget.set(size.connections);
    if (size.openFileLimit !== undefined) metrics?.openFileLimit.set(size.openFileLimit);
  }

  /** Counts a connection refused by `server`'s guard (the budget's own refusals included). */
  countRefused(server: string, reason: RefusalReason): void {
    this.metrics?.refused.inc({ server, reason });
  }

  get open(): number {
    return this.openTotal;
  }

  /** A port joins the budget (at listen); `leave` when it closes. */
  join(server: string): BudgetShare {
    const share = new BudgetShare(server);
    this.shares.add(share);
    this.metrics?.open.set({ server }, 0);
    return share;
  }

  leave(share: BudgetShare): void {
    this.shares.delete(share);
  }

  /** Counts one more connection of `share`'s port, or false (logged at most every 10 s) when over budget. */
  take(share: BudgetShare): boolean {
    if (!this.admissible(share)) {
      this.noteRefusal(share);
      return false;
    }
    this.openTotal++;
    share.open++;
    this.metrics?.open.set({ server: share.server }, share.open);
    return true;
  }

  release(share: BudgetShare): void {
    this.openTotal--;
    share.open--;
    this.metrics?.open.set({ server: share.server }, share.open);
  }

  private admissible(share: BudgetShare): boolean {
    const total = this.size.connections;
    if (!Number.isFinite(total)) return true;
    if (this.openTotal >= total) return false;
    const reserve = Math.floor(total / (2 * Math.max(1, this.shares.size)));
    if (share.open < reserve) return true;
    let heldForOthers = 0;
    for (const s of this.shares) if (s !== share) heldForOthers += Math.max(0, reserve - s.open);
    return total - this.openTotal > heldForOthers;
  }

  private noteRefusal(share: BudgetShare): void {
    this.refused++;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    this.log.warn(
      { server: share.server, open: this.openTotal, openOnPort: share.open, budget: this.size.connections, openFileLimit: this.size.openFileLimit, refusedSinceLastLine: this.refused },
      'connections refused: over the process connection budget',
    );
    this.refused = 0;
  }
}
