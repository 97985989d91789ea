import * as grpc from '@grpc/grpc-js';
import { register as registerXds } from '@grpc/grpc-js-xds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { failed, JsClient, PyClient, startBackend, total, type GreeterClient, type Handler, type Tally } from '../helpers/proxyless-clients.js';
import { dataplaneToken } from '../helpers/tokens.js';

/**
 * Real proxyless clients through the built kuma-cp: @grpc/grpc-js-xds (in this process, one XdsClient per
 * channel via its per-channel bootstrap option) and gRPC C-core (Debian python3-grpcio, /usr/bin/python3)
 * dial xds:///greeter.mesh; grpc-js backends are Dataplanes of services `greeter` (two versions), `flaky`
 * (fails every second RPC) and `slow`. Each library runs a client of service `client` and one of service
 * `other`, so per-source policies can be told apart. Every wait is "until the clients observe it", never a
 * fixed time.
 */
const TARGET = 'xds:///greeter.mesh';
const UNAVAILABLE = String(grpc.status.UNAVAILABLE);
const DEADLINE_EXCEEDED = String(grpc.status.DEADLINE_EXCEEDED);

const replying =
  (reply: string): Handler =>
  (_call, cb) =>
    cb(null, { message: reply });

/** Fails every second RPC it receives with UNAVAILABLE. */
function flaky(): Handler {
  let n = 0;
  return (_call, cb) => (n++ % 2 === 0 ? cb({ code: grpc.status.UNAVAILABLE, details: 'every second request fails' }) : cb(null, { message: 'flaky' }));
}

const slow =
  (ms: number): Handler =>
  (_call, cb) =>
    setTimeout(() => cb(null, { message: 'slow' }), ms);

let cp: CpProcess;
/** Clients of service `client` (one per library) and of service `other`. */
let clients: GreeterClient[] = [];
let others: GreeterClient[] = [];
const backends: { port: number; server: grpc.Server }[] = [];

async function api(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

const registerBackend = (name: string, port: number, tags: Record<string, string>): Promise<void> =>
  api('PUT', `/meshes/default/dataplanes/${name}`, {
    type: 'Dataplane',
    mesh: 'default',
    name,
    networking: { address: '127.0.0.1', inbound: [{ port, tags: { 'kuma.io/protocol': 'grpc', ...tags } }] },
  });
const greeter = (version: string) => ({ 'kuma.io/service': 'greeter', version });

/** A policy from clients of service `client` only. */
const fromClient = (type: string, name: string, destination: string, conf: unknown) => ({
  type,
  mesh: 'default',
  name,
  sources: [{ match: { 'kuma.io/service': 'client' } }],
  destinations: [{ match: { 'kuma.io/service': destination } }],
  conf,
});

async function grpcBootstrap(name: string, service: string): Promise<string> {
  // The token travels inside the bootstrap (node metadata `dataplane.token`): gRPC's xDS client has no call credentials for its server.
  const token = await dataplaneToken(cp, { name });
  const res = await fetch(`http://127.0.0.1:${cp.ports.bootstrap}/bootstrap/grpc?mesh=default&name=${name}&service=${service}`, { headers: { authorization: token } });
  expect(res.status).toBe(200);
  return res.text();
}

async function pyClient(name: string, service: string): Promise<PyClient> {
  return PyClient.start(`grpc-c-core ${service}`, await grpcBootstrap(name, service), { target: TARGET });
}
const POLL = { timeout: 30_000, interval: 20 };
const SLOW_MS = 1500;

beforeAll(async () => {
  // Port 0 everywhere: the bootstrap must advertise the bound xDS port, and restart() keeps the ports.
  cp = await startCp();
  backends.push(await startBackend(replying('backend-1')), await startBackend(replying('backend-2')), await startBackend(flaky()), await startBackend(slow(SLOW_MS)));
  await registerBackend('backend-1', backends[0]!.port, greeter('v1'));
  await registerBackend('backend-2', backends[1]!.port, greeter('v2'));
  await registerBackend('flaky-1', backends[2]!.port, { 'kuma.io/service': 'flaky' });
  await registerBackend('slow-1', backends[3]!.port, { 'kuma.io/service': 'slow' });
  registerXds();
  clients = [new JsClient('grpc-js-xds client', await grpcBootstrap('client-js', 'client'), { target: TARGET }), await pyClient('client-py', 'client')];
  others = [new JsClient('grpc-js-xds other', await grpcBootstrap('other-js', 'other'), { target: TARGET }), await pyClient('other-py', 'other')];
}, 60_000);

afterAll(async () => {
  for (const c of [...clients, ...others]) c.close();
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
    await registerBackend('backend-2', backends[1]!.port, greeter('v2'));
    for (const c of clients) {
      await expect.poll(() => c.call(20), POLL).toSatisfy((t: Tally) => (t.counts['backend-2'] ?? 0) > 0 && total(t) === 20);
    }
  }, 60_000);

  it('a 90/10 TrafficRoute from service `client` moves its clients\' RPCs; clients of another service keep 50/50', async () => {
    await api(
      'PUT',
      '/meshes/default/traffic-routes/greeter-split',
      fromClient('TrafficRoute', 'greeter-split', 'greeter', {
        split: [
          { weight: 90, destination: greeter('v1') },
          { weight: 10, destination: greeter('v2') },
        ],
      }),
    );
    for (const c of clients) {
      // Round robin gives v2 half of the calls; wait until the split reached the client.
      await expect.poll(() => c.call(100), POLL).toSatisfy((t: Tally) => total(t) === 100 && (t.counts['backend-2'] ?? 0) < 30);
      const t = await c.call(400);
      expect(t.errors, c.name).toEqual({});
      const share = (t.counts['backend-2'] ?? 0) / total(t);
      expect(share, `${c.name} ${JSON.stringify(t.counts)}`).toBeGreaterThan(0.04);
      expect(share, `${c.name} ${JSON.stringify(t.counts)}`).toBeLessThan(0.17);
    }
    for (const c of others) {
      const t = await c.call(200);
      expect(t.errors, c.name).toEqual({});
      const share = (t.counts['backend-2'] ?? 0) / total(t);
      expect(share, `${c.name} ${JSON.stringify(t.counts)}`).toBeGreaterThan(0.35);
      expect(share, `${c.name} ${JSON.stringify(t.counts)}`).toBeLessThan(0.65);
    }
  }, 120_000);

  it('a Retry policy makes RPCs to a backend failing every second request succeed; without it half fail', async () => {
    // The mesh's default Retry (retry-all-default) would retry too: without any Retry half the RPCs fail.
    await api('DELETE', '/meshes/default/retries/retry-all-default');
    for (const c of clients) await expect.poll(() => c.call(20, 'xds:///flaky.mesh'), POLL).toSatisfy((t: Tally) => (t.errors[UNAVAILABLE] ?? 0) >= 8);
    await api('PUT', '/meshes/default/retries/flaky-retry', fromClient('Retry', 'flaky-retry', 'flaky', { grpc: { numRetries: 2, retryOn: ['unavailable'], backOff: { baseInterval: '10ms', maxInterval: '50ms' } } }));
    for (const c of clients) {
      await expect.poll(() => c.call(20, 'xds:///flaky.mesh'), POLL).toSatisfy((t: Tally) => failed(t) === 0);
      const t = await c.call(40, 'xds:///flaky.mesh');
      expect(t, c.name).toEqual({ counts: { flaky: 40 }, errors: {} });
    }
    // Clients of another service are not retried: the policy's source is `client`.
    for (const c of others) expect((await c.call(20, 'xds:///flaky.mesh')).errors[UNAVAILABLE], c.name).toBeGreaterThanOrEqual(8);
    await api('DELETE', '/meshes/default/retries/flaky-retry');
    for (const c of clients) {
      await expect.poll(() => c.call(20, 'xds:///flaky.mesh'), POLL).toSatisfy((t: Tally) => failed(t) > 0);
      const t = await c.call(40, 'xds:///flaky.mesh');
      expect(t.errors[UNAVAILABLE] ?? 0, `${c.name} ${JSON.stringify(t)}`).toBeGreaterThanOrEqual(16);
      expect(t.errors[UNAVAILABLE] ?? 0, `${c.name} ${JSON.stringify(t)}`).toBeLessThanOrEqual(24);
    }
  }, 120_000);

  it('a Timeout policy (grpc.maxStreamDuration) bounds a slow RPC', async () => {
    for (const c of clients) expect(await c.call(1, 'xds:///slow.mesh'), c.name).toEqual({ counts: { slow: 1 }, errors: {} });
    await api('PUT', '/meshes/default/timeouts/slow-timeout', fromClient('Timeout', 'slow-timeout', 'slow', { connectTimeout: '5s', grpc: { maxStreamDuration: '200ms' } }));
    for (const c of clients) {
      await expect.poll(() => c.call(1, 'xds:///slow.mesh'), POLL).toSatisfy((t: Tally) => t.errors[DEADLINE_EXCEEDED] === 1);
    }
    await api('DELETE', '/meshes/default/timeouts/slow-timeout');
  }, 120_000);

  it('load balancers and resilience fields gRPC would NACK are left out: both clients accept every policy', async () => {
    const nacks = () => cp.logs().filter((l) => l.includes('configuration rejected'));
    expect(nacks()).toEqual([]);
    // Least request (NACKed by both clients) falls back to round robin; the 100% v2 split shows the cluster
    // pushed with it (outlier detection with consecutive detectors, every threshold, back-off max < base) was accepted.
    const cb = {
      interval: '1s',
      baseEjectionTime: '30s',
      maxEjectionPercent: 50,
      thresholds: { maxConnections: 100, maxPendingRequests: 100, maxRequests: 1000, maxRetries: 3 },
      detectors: { totalErrors: { consecutive: 20 }, gatewayErrors: { consecutive: 10 }, localErrors: { consecutive: 7 }, standardDeviation: { requestVolume: 10, minimumHosts: 5, factor: 1.9 }, failure: { requestVolume: 10, minimumHosts: 5, threshold: 85 } },
    };
    await api('PUT', '/meshes/default/circuit-breakers/greeter-cb', fromClient('CircuitBreaker', 'greeter-cb', 'greeter', cb));
    await api('PUT', '/meshes/default/retries/greeter-retry', fromClient('Retry', 'greeter-retry', 'greeter', { grpc: { numRetries: 9, perTryTimeout: '1s', backOff: { baseInterval: '100ms', maxInterval: '20ms' } } }));
    const lbRoute = (loadBalancer: unknown, version: string) =>
      fromClient('TrafficRoute', 'greeter-lb', 'greeter', { loadBalancer, split: [{ weight: 100, destination: greeter(version) }] });
    await api('PUT', '/meshes/default/traffic-routes/greeter-lb', lbRoute({ leastRequest: { choiceCount: 3 } }, 'v2'));
    for (const c of clients) await expect.poll(() => c.call(20), POLL).toSatisfy((t: Tally) => t.counts['backend-2'] === 20);
    // Ring hash falls back to round robin too: C-core 1.51 leaves ring-hash subchannels IDLE and its RPCs hang.
    await api('PUT', '/meshes/default/traffic-routes/greeter-lb', lbRoute({ ringHash: { hashFunction: 'XX_HASH', minRingSize: 64, maxRingSize: 1024 } }, 'v1'));
    for (const c of clients) await expect.poll(() => c.call(20), POLL).toSatisfy((t: Tally) => t.counts['backend-1'] === 20);
    expect(nacks()).toEqual([]);
    for (const path of ['traffic-routes/greeter-lb', 'retries/greeter-retry', 'circuit-breakers/greeter-cb']) await api('DELETE', `/meshes/default/${path}`);
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
