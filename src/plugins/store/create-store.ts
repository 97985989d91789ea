import type { Config } from '../../config/schema.js';
import { alwaysLeader, type Leadership } from '../../core/runtime/leadership.js';
import type { ResourceStore } from '../../core/store/resource-store.js';
import { MemoryStore } from './memory/memory-store.js';
import { PostgresLeaderElector } from './postgres/postgres-leader-elector.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * The store selected by `store.type` (KUMA_STORE_TYPE): the embedded SQLite file by default, process memory, or
 * Postgres shared by several instances (`instanceId` names this one in the change log).
 */
export async function createStore(config: Config, instanceId: string): Promise<ResourceStore> {
  switch (config.store.type) {
    case 'sqlite':
      return new SqliteStore(config.store.sqlite.path);
    case 'memory':
      return new MemoryStore();
    case 'postgres':
      return PostgresStore.open(config.store.postgres, instanceId);
  }
}

/** Leader election that goes with the store: a lease in Postgres; SQLite and memory serve one process, always the leader. */
export interface LeaderElection extends Leadership {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createLeaderElection(config: Config, instanceId: string): LeaderElection {
  if (config.store.type === 'postgres') return new PostgresLeaderElector(config.store.postgres, instanceId);
  return { ...alwaysLeader, start: async () => undefined, stop: async () => undefined };
}
