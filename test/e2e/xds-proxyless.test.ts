import { dataplaneToken } from '../helpers/tokens.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { register as registerXds } from '@grpc/grpc-js-xds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';

/**
 * Real proxyless clients through the built kuma-cp: @grpc/grpc-js-xds (in this process) and gRPC C-core
 * (Debian python3-grpcio, /usr/bin/python3) dial xds:///greeter.mesh; two grpc-js backends are Dataplanes
 * of service `greeter`. Every wait is "until the clients observe it", never a fixed time.
 */
const FIXTURES = resolve(import.meta.dirname, '../fixtures');
const TARGET = 'xds:///greeter.mesh';
const PYTHON = '/usr/bin/python3';

interface Tally {
  counts: Record<string, number>;
  errors: Record<string, number>;
}

interface GreeterClient {
  readonly name: string;
  call(n: number): Promise<Tally>;
  start(): Promise<void>;
  stop(): Promise<Tally>;
  close(): void;
}

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

class JsClient implements GreeterClient {
  readonly name = 'grpc-js-xds';
  private readonly client: grpc.Client & { SayHello: SayHello };
  private loop: { stop: boolean; done: Promise<Tally> } | undefined;

  constructor() {
    this.client = new (greeterPackage().Greeter)(TARGET, grpc.credentials.createInsecure());
  }

  private one(t: Tally): Promise<void> {
    return new Promise((res) => {
      this.client.SayHello({ name: 'js' }, { deadline: Date.now() + 10_000 }, (err, reply) => {
        if (err) t.errors[String(err.code)] = (t.errors[String(err.code)] ?? 0) + 1;
        else if (reply) t.counts[reply.message] = (t.counts[reply.message] ?? 0) + 1;
        res();
      });
    });
  }

  async call(n: number): Promise<Tally> {
    const t: Tally = { counts: {}, errors: {} };
    for (let i = 0; i < n; i++) await this.one(t);
    return t;
  }

  start(): Promise<void> {
    const t: Tally = { counts: {}, errors: {} };
    const state = { stop: false, done: Promise.resolve(t) };
    state.done = (async () => {
      while (!state.stop) await this.one(t);
      return t;
    })();
    this.loop = state;
    return Promise.resolve();
  }

  async stop(): Promise<Tally> {
    if (!this.loop) throw new Error('not started');
    this.loop.stop = true;
    return this.loop.done;
  }

  close(): void {
    this.client.close();
  }
}

class PyClient implements GreeterClient {
  readonly name = 'grpc-c-core';
  private readonly lines: string[] = [];
  private readonly waiters: ((line: string) => void)[] = [];
  private readonly proc: ChildProcessWithoutNullStreams;
  private stderr = '';

  constructor(bootstrap: string) {
    this.proc = spawn(PYTHON, [resolve(FIXTURES, 'greeter_client.py'), TARGET], { env: { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: bootstrap } });
    this.proc.stderr.setEncoding('utf8').on('data', (c: string) => (this.stderr = (this.stderr + c).slice(-4000)));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.lines.push(line);
    });
  }

  private command(cmd: string): Promise<string> {
    this.proc.stdin.write(`${cmd}\n`);
    return this.nextLine();
  }

  nextLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((res, rej) => {
      if (this.proc.exitCode !== null) rej(new Error(`python client exited: ${this.stderr}`));
      this.waiters.push(res);
    });
  }

  async call(n: number): Promise<Tally> {
    return JSON.parse(await this.command(String(n))) as Tally;
  }

  async start(): Promise<void> {
    await this.command('start');
  }

  async stop(): Promise<Tally> {
    return JSON.parse(await this.command('stop')) as Tally;
  }

  close(): void {
    this.proc.stdin.end();
    this.proc.kill();
  }
}

let cp: CpProcess;
let clients: GreeterClient[] = [];
const backends: { port: number; server: grpc.Server }[] = [];

async function api(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

const registerBackend = (name: string, port: number, version: string): Promise<void> =>
  api('PUT', `/meshes/default/dataplanes/${name}`, {
    type: 'Dataplane',
    mesh: 'default',
    name,
    networking: { address: '127.0.0.1', inbound: [{ port, tags: { 'kuma.io/service': 'greeter', 'kuma.io/protocol': 'grpc', version } }] },
  });

async function grpcBootstrap(name: string): Promise<string> {
  // The token travels inside the bootstrap (node metadata `dataplane.token`): gRPC's xDS client has no call credentials for its server.
  const token = await dataplaneToken(cp, { name });
  const res = await fetch(`http://127.0.0.1:${cp.ports.bootstrap}/bootstrap/grpc?mesh=default&name=${name}&service=${name}`, { headers: { authorization: token } });
  expect(res.status).toBe(200);
  return res.text();
}

const total = (t: Tally): number => Object.values(t.counts).reduce((a, b) => a + b, 0);
const POLL = { timeout: 30_000, interval: 20 };

beforeAll(async () => {
  // Port 0 everywhere: the bootstrap must advertise the bound xDS port, and restart() keeps the ports.
  cp = await startCp();
  backends.push(await startBackend('backend-1'), await startBackend('backend-2'));
  await registerBackend('backend-1', backends[0]!.port, 'v1');
  await registerBackend('backend-2', backends[1]!.port, 'v2');
  process.env['GRPC_XDS_BOOTSTRAP_CONFIG'] = await grpcBootstrap('client-js');
  registerXds();
  const py = new PyClient(await grpcBootstrap('client-py'));
  expect(JSON.parse(await py.nextLine())).toEqual({ ready: true });
  clients = [new JsClient(), py];
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const b of backends) b.server.forceShutdown();
  await stopAll();
});

describe('proxyless gRPC clients through kuma-cp', () => {
  it('both clients complete RPCs on both backends', async () => {
    for (const c of clients) {
      await expect.poll(() => c.call(20), POLL).toSatisfy((t: Tally) => (t.counts['backend-1'] ?? 0) > 0 && (t.counts['backend-2'] ?? 0) > 0 && total(t) === 20);
    }
    await cp.waitForLog(/"proxy":"default.client-js".*"msg":"proxy connected"/);
    await cp.waitForLog(/"proxy":"default.client-py".*"msg":"proxy connected"/);
  }, 60_000);

  it('deleting a backend Dataplane stops traffic to it; registering it again brings it back', async () => {
    await api('DELETE', '/meshes/default/dataplanes/backend-2');
    for (const c of clients) {
      await expect.poll(() => c.call(20), POLL).toSatisfy((t: Tally) => t.counts['backend-1'] === 20);
    }
    await registerBackend('backend-2', backends[1]!.port, 'v2');
    for (const c of clients) {
      await expect.poll(() => c.call(20), POLL).toSatisfy((t: Tally) => (t.counts['backend-2'] ?? 0) > 0 && total(t) === 20);
    }
  }, 60_000);

  it('a TrafficRoute 90/10 split shows in the RPC distribution', async () => {
    await api('PUT', '/meshes/default/traffic-routes/greeter-split', {
      type: 'TrafficRoute',
      mesh: 'default',
      name: 'greeter-split',
      sources: [{ match: { 'kuma.io/service': '*' } }],
      destinations: [{ match: { 'kuma.io/service': 'greeter' } }],
      conf: {
        split: [
          { weight: 90, destination: { 'kuma.io/service': 'greeter', version: 'v1' } },
          { weight: 10, destination: { 'kuma.io/service': 'greeter', version: 'v2' } },
        ],
      },
    });
    for (const c of clients) {
      // Round robin gives v2 half of the calls; wait until the split reached the client.
      await expect.poll(() => c.call(100), POLL).toSatisfy((t: Tally) => total(t) === 100 && (t.counts['backend-2'] ?? 0) < 30);
      const t = await c.call(1000);
      expect(t.errors, c.name).toEqual({});
      const share = (t.counts['backend-2'] ?? 0) / total(t);
      expect(share, `${c.name} ${JSON.stringify(t.counts)}`).toBeGreaterThan(0.04);
      expect(share, `${c.name} ${JSON.stringify(t.counts)}`).toBeLessThan(0.17);
    }
  }, 120_000);

  it('a control-plane restart does not break RPCs in flight; the clients reconnect and get updates again', async () => {
    for (const c of clients) await c.start();
    cp = await cp.restart();
    await cp.waitForLog(/"proxy":"default.client-js".*"msg":"proxy connected"/, 30_000);
    await cp.waitForLog(/"proxy":"default.client-py".*"msg":"proxy connected"/, 30_000);
    for (const c of clients) {
      const t = await c.stop();
      expect(t.errors, c.name).toEqual({});
      expect(total(t), c.name).toBeGreaterThan(0);
    }
    await api('DELETE', '/meshes/default/traffic-routes/greeter-split');
    for (const c of clients) {
      await expect.poll(() => c.call(100), POLL).toSatisfy((t: Tally) => total(t) === 100 && (t.counts['backend-2'] ?? 0) >= 35);
    }
  }, 120_000);
});
