import { afterAll, beforeAll } from 'vitest';
import { newPostgresStore } from '../helpers/postgres-store.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { runStoreContract } from './resource-store.contract.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server.stop();
});

runStoreContract('postgres', async () => (await newPostgresStore(server)).store);
