import type { Socket } from 'node:net';
import type { Config } from '../config/schema.js';
import type { Logger } from '../core/logging.js';
import { parseDuration } from '../core/resources/schemas/durations.js';

export interface ConnectionLimits {
  /** Open connections one port accepts in total. */
  readonly perPort: number;
  /** Open connections one port accepts from one source address. */
  readonly perSource: number;
  /** A connection that has sent nothing after this long is closed. */
  readonly idleFirstByteMs: number;
}

/** Refusals are logged at most this often per port, with counts (the sources are peer-chosen and many). */
const LOG_EVERY_MS = 10_000;

/**
 * Counts the open connections of one port, in total and per source address, and refuses (closes at once)
 * those over the limits, so that one peer cannot take every file descriptor and starve the others.
 */
export class ConnectionGuard {
  private total = 0;
  private readonly bySource = new Map<string, number>();
  private refused = 0;
  private lastLog = 0;

  constructor(
    private readonly server: string,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {}

  get open(): number {
    return this.total;
  }

  /** Admits `socket` (counted until it closes) or destroys it; true when admitted. */
  admit(socket: Socket): boolean {
    const source = socket.remoteAddress ?? '';
    const fromSource = this.bySource.get(source) ?? 0;
    if (this.total >= this.limits.perPort || fromSource >= this.limits.perSource) {
      socket.destroy();
      this.noteRefusal(source, fromSource);
      return false;
    }
    this.total++;
    this.bySource.set(source, fromSource + 1);
    socket.once('close', () => {
      this.total--;
      const n = (this.bySource.get(source) ?? 1) - 1;
      if (n <= 0) this.bySource.delete(source);
      else this.bySource.set(source, n);
    });
    return true;
  }

  private noteRefusal(source: string, fromSource: number): void {
    this.refused++;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    const limit = fromSource >= this.limits.perSource ? `${this.limits.perSource} per source` : `${this.limits.perPort} per port`;
    this.log.warn({ server: this.server, source, open: this.total, refusedSinceLastLine: this.refused, limit }, 'connections refused: over the connection limit');
    this.refused = 0;
  }
}

/** The limits every CP port applies, from `general.*` (`maxConnectionsPerPort`, `maxConnectionsPerSource`, `idleConnectionTimeout`). */
export function connectionLimits(config: Config): ConnectionLimits {
  const g = config.general;
  const idle = parseDuration(g.idleConnectionTimeout);
  if (!idle) throw new Error(`invalid duration "${g.idleConnectionTimeout}"`);
  return { perPort: g.maxConnectionsPerPort, perSource: g.maxConnectionsPerSource, idleFirstByteMs: idle.seconds * 1000 + idle.nanos / 1e6 };
}
