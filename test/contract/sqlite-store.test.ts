import { SqliteStore } from '../../src/plugins/store/sqlite/sqlite-store.js';
import { runStoreContract } from './resource-store.contract.js';

runStoreContract('sqlite (:memory:)', () => Promise.resolve(new SqliteStore(':memory:')));
