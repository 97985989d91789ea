import pg from 'pg';
import { errorMessage } from '../../../core/errors.js';
import { logger, type Logger } from '../../../core/logging.js';
import type { Leadership } from '../../../core/runtime/leadership.js';
import { clientConfig, resilientPool, type PostgresConfig } from './connection.js';

/** Kuma's lock name and timings (pglock: lease 5 s, heartbeat 1 s). */
export const LOCK_NAME = 'kuma-cp-lock';
export const LEASE_MS = 5000;
export const HEARTBEAT_MS = 1000;

/** Takes the lease if it is free, expired or already ours; the row comes back only when we hold it. */
const ACQUIRE = `
  INSERT INTO leader_leases (name, owner, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
  ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
  WHERE leader_leases.owner = EXCLUDED.owner OR leader_leases.expires_at < now()
  RETURNING owner`;
const RELEASE = 'DELETE FROM leader_leases WHERE name = $1 AND owner = $2';

/**
 * Leader election over the `leader_leases` table, with Kuma's `kuma-cp-lock` semantics: the leader renews a
 * lease every heartbeat; a crashed leader's lease expires and another instance takes it; a clean stop releases
 * it at once. Expiry uses the database's clock, so instances' clocks need not agree. A leader that cannot renew
 * (database unreachable) steps down before its lease can have expired, so two leaders never overlap.
 */
export class PostgresLeaderElector implements Leadership {
  private leader = false;
  private readonly listeners = new Set<(leader: boolean) => void>();
  private readonly pool: pg.Pool;
  private timer: NodeJS.Timeout | undefined;
  /** Local time before which our lease certainly has not expired (renewal sent time + lease - heartbeat). */
  private safeUntil = 0;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    pgc: PostgresConfig,
    private readonly instanceId: string,
    private readonly leaseMs = LEASE_MS,
    private readonly heartbeatMs = HEARTBEAT_MS,
    private readonly log: Logger = logger('leader-election'),
  ) {
    // A renewal that hangs (unreachable server) must fail before the lease could expire.
    this.pool = resilientPool({ ...clientConfig(pgc), max: 1, query_timeout: Math.max(heartbeatMs, leaseMs / 2) }, this.log);
  }

  get isLeader(): boolean {
    return this.leader;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes the first attempt (so a lone instance starts as leader), then keeps campaigning every heartbeat. */
  async start(): Promise<void> {
    await this.attempt();
    this.timer = setInterval(() => {
      if (this.leader && Date.now() >= this.safeUntil) {
        this.log.warn('the leader lease was not renewed in time: stepping down');
        this.set(false);
      }
      this.inFlight ??= this.attempt().finally(() => (this.inFlight = undefined));
    }, this.heartbeatMs);
  }

  /** Stops campaigning and releases the lease if held, so another instance takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.inFlight;
    if (this.leader) {
      try {
        await this.pool.query(RELEASE, [LOCK_NAME, this.instanceId]);
        this.log.info({ lock: LOCK_NAME, instance: this.instanceId }, 'leader lease released');
      } catch (err) {
        this.log.warn({ err: errorMessage(err) }, 'cannot release the leader lease; it expires on its own');
      }
      this.set(false);
    }
    await this.pool.end().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const sentAt = Date.now();
    try {
      const res = await this.pool.query<{ owner: string }>(ACQUIRE, [LOCK_NAME, this.instanceId, this.leaseMs / 1000]);
      if (this.stopped) return;
      const held = res.rowCount === 1;
      if (held) this.safeUntil = sentAt + this.leaseMs - this.heartbeatMs;
      this.set(held);
    } catch (err) {
      if (this.stopped) return;
      if (this.leader && Date.now() >= this.safeUntil) {
        this.log.warn({ err: errorMessage(err) }, 'cannot renew the leader lease in time: stepping down');
        this.set(false);
      } else {
        this.log.debug({ err: errorMessage(err) }, 'leader election attempt failed');
      }
    }
  }

  private set(leader: boolean): void {
    if (leader === this.leader) return;
    this.leader = leader;
    this.log.info({ lock: LOCK_NAME, instance: this.instanceId }, leader ? 'leader lease acquired: this instance is the leader' : 'this instance is no longer the leader');
    for (const l of [...this.listeners]) l(leader);
  }
}
