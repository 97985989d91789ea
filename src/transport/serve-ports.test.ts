import * as grpc from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { logger } from '../core/logging.js';
import { newGrpcServer, serveGrpc, type GrpcServing } from '../grpc/transport.js';
import { budgetSize, ConnectionBudget } from './connection-budget.js';
import type { ConnectionLimits } from './connection-guard.js';
import { loadCpTls, type CpTls } from './cp-tls.js';
import { serveHttp, type HttpServing } from './serve-http.js';

const log = logger('serve-ports-test');
const unbounded = (): ConnectionLimits['budget'] => new ConnectionBudget(budgetSize(undefined, 0), log);
const limits: ConnectionLimits = { perPort: 100, perSource: 100, idleFirstByteMs: 10_000, budget: unbounded() };
const open: (GrpcServing | HttpServing)[] = [];
let tls: CpTls;

beforeAll(async () => {
  tls = await loadCpTls(configSchema.parse({ general: { workDir: mkdtempSync(join(tmpdir(), 'serve-ports-')) } }), log);
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close(0)));
});

const echo = { path: '/test.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b };

async function grpcPort(plaintext: boolean, l = limits): Promise<number> {
  const server = newGrpcServer();
  server.addService({ Echo: echo }, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const serving = await serveGrpc(server, { name: 'test-grpc', host: '127.0.0.1', port: 0, log, tls, plaintext, limits: l });
  open.push(serving);
  return serving.port;
}

function callEcho(port: number, creds: grpc.ChannelCredentials): Promise<string> {
  const client = new grpc.Client(`localhost:${port}`, creds);
  return new Promise<string>((resolve) => {
    client.makeUnaryRequest('/test.Echo/Echo', (b: Buffer) => b, (b: Buffer) => b, Buffer.from('hi'), { deadline: Date.now() + 5000 }, (err, res) => {
      client.close();
      resolve(err ? `error ${grpc.status[err.code]}` : String(res));
    });
  });
}

async function httpPort(plaintext: boolean): Promise<number> {
  const serving = await serveHttp({ name: 'test-http', host: '127.0.0.1', port: 0, log, limits, tls, plaintext, handler: (req, res) => res.end(`${'encrypted' in req.socket ? 'https' : 'http'} ${req.method}`) });
  open.push(serving);
  return serving.port;
}

function get(port: number, secure: boolean, body?: string): Promise<string> {
  return new Promise((resolve) => {
    const opts = { host: 'localhost', port, path: '/', method: body ? 'POST' : 'GET', ca: tls.certPem, agent: false as const };
    const req = (secure ? httpsRequest : httpRequest)(opts, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', (e) => resolve(`error ${e.message}`));
    req.end(body);
  });
}

describe('CP ports: TLS and plaintext on one port, told apart by the first byte', () => {
  it('gRPC: TLS (verified against the CP certificate) and plaintext both answer; TLS-only refuses plaintext', async () => {
    const both = await grpcPort(true);
    expect(await callEcho(both, grpc.credentials.createSsl(Buffer.from(tls.certPem)))).toBe('hi');
    expect(await callEcho(both, grpc.credentials.createInsecure())).toBe('hi');
    const tlsOnly = await grpcPort(false);
    expect(await callEcho(tlsOnly, grpc.credentials.createSsl(Buffer.from(tls.certPem)))).toBe('hi');
    expect(await callEcho(tlsOnly, grpc.credentials.createInsecure())).toBe('error UNAVAILABLE');
    // A client that does not trust the CP certificate is refused by its own verification.
    expect(await callEcho(tlsOnly, grpc.credentials.createSsl())).toBe('error UNAVAILABLE');
  });

  it('HTTP: HTTPS and HTTP both answer on one port (bodies included); HTTPS-only refuses plain HTTP', async () => {
    const both = await httpPort(true);
    expect(await get(both, true)).toBe('https GET');
    expect(await get(both, false)).toBe('http GET');
    expect(await get(both, true, 'x'.repeat(200_000))).toBe('https POST');
    expect(await get(both, false, 'x'.repeat(200_000))).toBe('http POST');
    const tlsOnly = await httpPort(false);
    expect(await get(tlsOnly, true)).toBe('https GET');
    expect(await get(tlsOnly, false)).toMatch(/^error /);
  });
});

describe('CP ports: connection limits', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.destroy();
  });
  const dial = (port: number): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s)).once('error', reject);
      sockets.push(s);
    });
  const closed = (s: Socket): Promise<void> => new Promise((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve())));

  it('closes connections over the per-source limit at once, and silent ones after the idle limit; others still answer', async () => {
    const port = await grpcPort(true, { perPort: 100, perSource: 3, idleFirstByteMs: 300, budget: unbounded() });
    const idle = await Promise.all([1, 2, 3].map(() => dial(port)));
    const over = await dial(port);
    over.resume();
    await closed(over);
    // The silent ones are closed after the idle limit, which frees the source's slots.
    await Promise.all(idle.map((s) => (s.resume(), closed(s))));
    expect(await callEcho(port, grpc.credentials.createSsl(Buffer.from(tls.certPem)))).toBe('hi');
  });
});
