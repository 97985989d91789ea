import type { Socket } from 'node:net';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/logging.js';
import { parseDuration } from '../core/resources/schemas/durations.js';
import { budgetSize, ConnectionBudget, type BudgetShare } from './connection-budget.js';
import type { ConnectionMetrics, RefusalReason } from './connection-metrics.js';
import { openFileLimit } from './open-file-limit.js';

export interface ConnectionLimits {
  /** Open connections one port accepts in total. */
  readonly perPort: number;
  /** Open connections one port accepts from one source address. */
  readonly perSource: number;
  /** A connection that has sent nothing after this long is closed. */
  readonly idleFirstByteMs: number;
  /** The connections the whole process may hold, shared by every port (one per runtime). */
  readonly budget: ConnectionBudget;
}

/** Refusals are logged at most this often per port, with counts (the sources are peer-chosen and many). */
const LOG_EVERY_MS = 10_000;

/**
 * Counts the open connections of one port, in total and per source address, and refuses (closes at once)
 * those over the limits or over the process-wide budget, so that one peer cannot take every file
 * descriptor and starve the others.
 */
export class ConnectionGuard {
  private readonly bySource = new Map<string, number>();
  private readonly share: BudgetShare;
  private refused = 0;
  private lastLog = 0;

  constructor(
    private readonly server: string,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    this.share = limits.budget.join(server);
  }

  get open(): number {
    return this.share.open;
  }

  /** Admits `socket` (counted until it closes) or destroys it; true when admitted. */
  admit(socket: Socket): boolean {
    const source = socket.remoteAddress ?? '';
    const fromSource = this.bySource.get(source) ?? 0;
    const over: RefusalReason | undefined = fromSource >= this.limits.perSource ? 'per_source' : this.share.open >= this.limits.perPort ? 'per_port' : undefined;
    if (over || !this.limits.budget.take(this.share)) {
      socket.destroy();
      this.limits.budget.countRefused(this.server, over ?? 'budget');
      // Budget refusals are logged by the budget, once per interval for the whole process.
      if (over) this.noteRefusal(source, over);
      return false;
    }
    this.bySource.set(source, fromSource + 1);
    socket.once('close', () => {
      this.limits.budget.release(this.share);
      const n = (this.bySource.get(source) ?? 1) - 1;
      if (n <= 0) this.bySource.delete(source);
      else this.bySource.set(source, n);
    });
    return true;
  }

  /** The port stops listening: its part of the budget goes back to the others' reserves. */
  close(): void {
    this.limits.budget.leave(this.share);
  }

  private noteRefusal(source: string, reason: RefusalReason): void {
    this.refused++;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    const limit = reason === 'per_source' ? `${this.limits.perSource} per source` : `${this.limits.perPort} per port`;
    this.log.warn({ server: this.server, source, open: this.share.open, refusedSinceLastLine: this.refused, limit }, 'connections refused: over the connection limit');
    this.refused = 0;
  }
}

/**
 * The limits every CP port applies: `general.*` (`maxConnectionsPerPort`, `maxConnectionsPerSource`,
 * `idleConnectionTimeout`) and one process-wide budget derived from the open-file limit, keeping
 * descriptors for the Postgres pool when the store is Postgres. Built once per runtime and shared.
 */
export function connectionLimits(config: Config, log: Logger, metrics: ConnectionMetrics, nofile: number | undefined = openFileLimit()): ConnectionLimits {
  const g = config.general;
  const idle = parseDuration(g.idleConnectionTimeout);
  if (!idle) throw new Error(`invalid duration "${g.idleConnectionTimeout}"`);
  const pg = config.store.type === 'postgres' ? config.store.postgres.maxOpenConnections + 1 : 0;
  const size = budgetSize(nofile, pg);
  log.info({ budget: Number.isFinite(size.connections) ? size.connections : 'unlimited', openFileLimit: size.openFileLimit ?? 'unlimited', reservedFds: size.reserved, perPort: g.maxConnectionsPerPort, perSource: g.maxConnectionsPerSource }, 'connection budget');
  return {
    perPort: g.maxConnectionsPerPort,
    perSource: g.maxConnectionsPerSource,
    idleFirstByteMs: idle.seconds * 1000 + idle.nanos / 1e6,
    budget: new ConnectionBudget(size, log, metrics),
  };
}
