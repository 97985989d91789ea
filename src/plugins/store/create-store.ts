import type { Config } from '../../config/schema.js';
import type { ResourceStore } from '../../core/store/resource-store.js';
import { MemoryStore } from './memory/memory-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/** The store selected by `store.type` (KUMA_STORE_TYPE): the embedded SQLite file by default, or process memory. */
export function createStore(config: Config): ResourceStore {
  switch (config.store.type) {
    case 'sqlite':
      return new SqliteStore(config.store.sqlite.path);
    case 'memory':
      return new MemoryStore();
  }
}
