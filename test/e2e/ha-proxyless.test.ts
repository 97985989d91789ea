import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { register as registerXds } from '@grpc/grpc-js-xds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataplaneToken } from '../helpers/tokens.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres-server.js';
import { migrateDatabase } from '../helpers/postgres-store.js';

/**
 * Issue 11 acceptance: a TrafficRoute changed through instance B reaches a proxyless gRPC client
 * (@grpc/grpc-js-xds) whose xDS stream is on instance A, and real RPCs shift to the routed backend.
 */
const FIXTURES = resolve(import.meta.dirname, '../fixtures');

type SayHello = (req: { name: string }, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, reply?: { message: string }) => void) => void;
type GreeterCtor = new (target: string, creds: grpc.ChannelCredentials) => grpc.Client & { SayHello: SayHello };

function greeterPackage(): { Greeter: GreeterCtor & { service: grpc.ServiceDefinition } } {
  const def = protoLoader.loadSync(resolve(FIXTURES, 'greeter.proto'), { keepCase: true });
  return (grpc.loadPackageDefinition(def) as unknown as { greeter: { Greeter: GreeterCtor & { service: grpc.ServiceDefinition } } }).greeter;
}

async function startBackend(reply: string): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server();
  server.addService(greeterPackage().Greeter.service, {
    SayHello: (_call: unknown, cb: (err: null, res: { message: string }) => void) => cb(null, { message: reply }),
  });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { port, server };
}

let server: PostgresServer;
let a: CpProcess;
let b: CpProcess;
let client: grpc.Client & { SayHello: SayHello };
const backends: { port: number; server: grpc.Server }[] = [];

async function api(cp: CpProcess, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

async function calls(n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const reply = await new Promise<string>((res) =>
      client.SayHello({ name: 'ha' }, { deadline: Date.now() + 10_000 }, (err, r) => res(err ? `error ${err.code}` : (r?.message ?? 'empty'))),
    );
    counts[reply] = (counts[reply] ?? 0) + 1;
  }
  return counts;
}

beforeAll(async () => {
  server = await startPostgres();
  const db = await server.createDatabase('proxyless');
  await migrateDatabase(server, db);
  a = await startCp({ env: server.env(db) });
  b = await startCp({ env: server.env(db) });
  backends.push(await startBackend('backend-1'), await startBackend('backend-2'));
  for (const [i, version] of [[0, 'v1'], [1, 'v2']] as const) {
    await api(b, 'PUT', `/meshes/default/dataplanes/backend-${i + 1}`, {
      type: 'Dataplane',
      mesh: 'default',
      name: `backend-${i + 1}`,
      networking: { address: '127.0.0.1', inbound: [{ port: backends[i]!.port, tags: { 'kuma.io/service': 'greeter', 'kuma.io/protocol': 'grpc', version } }] },
    });
  }
  // The client's bootstrap, and so its xDS stream, is A's.
  // The token travels inside the bootstrap (node metadata `dataplane.token`), issued by A like an operator would.
  const token = await dataplaneToken(a, { name: 'client-js' });
  const res = await fetch(`http://127.0.0.1:${a.ports.bootstrap}/bootstrap/grpc?mesh=default&name=client-js&service=client-js`, { headers: { authorization: token } });
  expect(res.status).toBe(200);
  process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = await res.text();
  registerXds();
  client = new (greeterPackage().Greeter)('xds:///greeter.mesh', grpc.credentials.createInsecure());
}, 90_000);

afterAll(async () => {
  client?.close();
  for (const s of backends) s.server.forceShutdown();
  await stopAll();
  await server.stop();
});

const POLL = { timeout: 30_000, interval: 50 };

describe('a proxyless gRPC client on instance A, policies written through instance B', () => {
  it('RPCs reach both backends registered through B', async () => {
    await expect.poll(() => calls(20), POLL).toSatisfy((c: Record<string, number>) => (c['backend-1'] ?? 0) > 0 && (c['backend-2'] ?? 0) > 0);
    await a.waitForLog(/"proxy":"default.client-js".*"msg":"proxy connected"/);
    expect(b.logs().some((l) => /"proxy":"default.client-js".*"msg":"proxy connected"/.test(l))).toBe(false);
  }, 60_000);

  it('a TrafficRoute to v2 written through B shifts every RPC to backend-2; changed to v1 through B, they shift back', async () => {
    const routeTo = (version: string): Record<string, unknown> => ({
      type: 'TrafficRoute',
      mesh: 'default',
      name: 'greeter-pin',
      sources: [{ match: { 'kuma.io/service': '*' } }],
      destinations: [{ match: { 'kuma.io/service': 'greeter' } }],
      conf: { destination: { 'kuma.io/service': 'greeter', version } },
    });
    await api(b, 'PUT', '/meshes/default/traffic-routes/greeter-pin', routeTo('v2'));
    await expect.poll(() => calls(20), POLL).toEqual({ 'backend-2': 20 });
    await api(b, 'PUT', '/meshes/default/traffic-routes/greeter-pin', routeTo('v1'));
    await expect.poll(() => calls(20), POLL).toEqual({ 'backend-1': 20 });
  }, 90_000);
});
