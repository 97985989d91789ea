import pg from 'pg';
import { errorMessage } from '../../../core/errors.js';
import { logger, type Logger } from '../../../core/logging.js';
import type { InstanceRegistry } from '../../../core/runtime/instance-registry.js';
import { clientConfig, resilientPool, type PostgresConfig } from './connection.js';

/** How often each instance records that it is alive, and after how long without a record it counts as gone. */
export const INSTANCE_HEARTBEAT_MS = 2000;
export const INSTANCE_TIMEOUT_MS = 10_000;

const BEAT = `INSERT INTO cp_instances (id, heartbeat_at) VALUES ($1, now()) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`;
const ALIVE = `SELECT id FROM cp_instances WHERE heartbeat_at > now() - make_interval(secs => $1)`;
/** Rows of instances gone for long are dropped by whoever beats. */
const FORGET = `DELETE FROM cp_instances WHERE heartbeat_at < now() - make_interval(secs => $1)`;

/**
 * Instances sharing one Postgres, each heartbeating a row of `cp_instances` (database clock). An instance that
 * stops cleanly deletes its row; one that crashed stops beating and counts as gone after INSTANCE_TIMEOUT_MS.
 */
export class PostgresInstanceRegistry implements InstanceRegistry {
  private readonly pool: pg.Pool;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    pgc: PostgresConfig,
    private readonly instanceId: string,
    private readonly log: Logger = logger('instances'),
  ) {
    this.pool = resilientPool({ ...clientConfig(pgc), max: 1 }, this.log);
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), INSTANCE_HEARTBEAT_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.query('DELETE FROM cp_instances WHERE id = $1', [this.instanceId]).catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  async alive(): Promise<ReadonlySet<string>> {
    const res = await this.pool.query<{ id: string }>(ALIVE, [INSTANCE_TIMEOUT_MS / 1000]);
    return new Set([this.instanceId, ...res.rows.map((r) => r.id)]);
  }

  private async beat(): Promise<void> {
    try {
      await this.pool.query(BEAT, [this.instanceId]);
      await this.pool.query(FORGET, [3600]);
    } catch (err) {
      this.log.debug({ err: errorMessage(err) }, 'instance heartbeat failed');
    }
  }
}
