import { MemoryStore } from '../../src/plugins/store/memory/memory-store.js';
import { runStoreContract } from './resource-store.contract.js';

runStoreContract('memory', () => Promise.resolve(new MemoryStore()));
