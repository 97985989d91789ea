import type { Config } from '../../config/schema.js';
import type { Logger } from '../../core/logging.js';
import type { InstanceRegistry } from '../../core/runtime/instance-registry.js';
import { alwaysLeader, type Leadership } from '../../core/runtime/leadership.js';
import type { ResourceStore } from '../../core/store/resource-store.js';
import { MemoryStore } from './memory/memory-store.js';
import { PostgresInstanceRegistry } from './postgres/postgres-instance-registry.js';
import { PostgresLeaderElector } from './postgres/postgres-leader-elector.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * The store selected by `store.type` (KUMA_STORE_TYPE): the embedded SQLite file by default, process memory, or
 * Postgres shared by several instances (`instanceId` names this one in the change log).
 */
export async function createStore(config: Config, instanceId: string, named: (component: string) => Logger): Promise<ResourceStore> {
  switch (config.store.type) {
    case 'sqlite':
      return new SqliteStore(config.store.sqlite.path, named('sqlite-store'));
    case 'memory':
      return new MemoryStore(named('memory-store'));
    case 'postgres':
      return PostgresStore.open(config.store.postgres, instanceId, named('postgres-store'));
  }
}

/** How instances sharing the store coordinate: leader election and the registry of live instances. */
export interface Coordination {
  readonly leadership: Leadership;
  /** Absent when this process is the only instance (SQLite, memory). */
  readonly instances?: InstanceRegistry;
  start(): Promise<void>;
  /** Releases the leader lease and leaves the registry. */
  stop(): Promise<void>;
}

/** Postgres: a lease and heartbeats in the database. SQLite and memory serve one process, always the leader. */
export function createCoordination(config: Config, instanceId: string, named: (component: string) => Logger): Coordination {
  if (config.store.type !== 'postgres') return { leadership: alwaysLeader, start: () => Promise.resolve(), stop: () => Promise.resolve() };
  const election = new PostgresLeaderElector(config.store.postgres, instanceId, undefined, undefined, named('leader-election'));
  const instances = new PostgresInstanceRegistry(config.store.postgres, instanceId, named('instances'));
  return {
    leadership: election,
    instances,
    async start() {
      await instances.start();
      await election.start();
    },
    async stop() {
      await election.stop();
      await instances.stop();
    },
  };
}
