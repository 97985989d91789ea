import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { register as registerXds } from '@grpc/grpc-js-xds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { freePort } from '../helpers/free-port.js';
import { JsClient, PyClient, startXdsServer, type GreeterClient, type Tally } from '../helpers/proxyless-clients.js';
import { dataplaneToken } from '../helpers/tokens.js';

/**
 * Proxyless mTLS through the built kuma-cp, nothing mocked: the mesh has a builtin CA; two xDS-enabled
 * Greeter servers (gRFC A36), one on grpc-js-xds (`hello-js`) and one on gRPC C-core (`hello-py`), and two
 * clients of service `client`, grpc-js-xds and C-core, all with xDS credentials and the file_watcher
 * certificate provider of their bootstrap fed from GET /bootstrap/grpc/certs. Servers reply with the SPIFFE
 * id of the caller's certificate. Every wait is "until the clients observe it", never a fixed time.
 */
const MESH = 'default';
const PERMISSION_DENIED = String(grpc.status.PERMISSION_DENIED);
const UNAVAILABLE = String(grpc.status.UNAVAILABLE);
const POLL = { timeout: 45_000, interval: 100 };
const SERVERS = ['hello-js', 'hello-py'] as const;
const CALLER = `spiffe://${MESH}/client`;

let cp: CpProcess;
let clients: GreeterClient[] = [];
const closers: { close(): void }[] = [];

async function api(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/**
 * What a proxyless workload does before it starts: fetch its bootstrap and its certificate (both with its
 * data-plane token), write the certificate files where the bootstrap's provider reads them.
 */
async function provision(name: string, service: string): Promise<string> {
  const token = await dataplaneToken(cp, { mesh: MESH, name });
  const certDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const base = `http://127.0.0.1:${cp.ports.bootstrap}/bootstrap/grpc`;
  const query = `mesh=${MESH}&name=${name}&service=${service}`;
  const headers = { authorization: token };
  const certs = await fetch(`${base}/certs?${query}`, { headers });
  expect(certs.status).toBe(200);
  const { certificate, privateKey, caCertificate } = (await certs.json()) as { certificate: string; privateKey: string; caCertificate: string };
  writeFileSync(join(certDir, 'cert.pem'), certificate);
  writeFileSync(join(certDir, 'key.pem'), privateKey, { mode: 0o600 });
  writeFileSync(join(certDir, 'ca.pem'), caCertificate);
  const bootstrap = await fetch(`${base}?${query}&certDir=${encodeURIComponent(certDir)}`, { headers });
  expect(bootstrap.status).toBe(200);
  return bootstrap.text();
}

const permission = (sourceService: string) => ({
  type: 'TrafficPermission',
  mesh: MESH,
  name: `allow-all-${MESH}`,
  sources: [{ match: { 'kuma.io/service': sourceService } }],
  destinations: [{ match: { 'kuma.io/service': '*' } }],
});

const ok = (server: string, n: number): Tally => ({ counts: { [`${server} ${CALLER}`]: n }, errors: {} });

beforeAll(async () => {
  cp = await startCp();
  await api('PUT', `/meshes/${MESH}`, { type: 'Mesh', name: MESH, mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });
  for (const [i, server] of SERVERS.entries()) {
    const port = await freePort();
    const inbound = { port, tags: { 'kuma.io/service': server, 'kuma.io/protocol': 'grpc' } };
    await api('PUT', `/meshes/${MESH}/dataplanes/${server}`, { type: 'Dataplane', mesh: MESH, name: server, networking: { address: '127.0.0.1', inbound: [inbound] } });
    closers.push(await startXdsServer(i === 0 ? 'js' : 'py', server, `127.0.0.1:${port}`, await provision(server, server)));
  }
  registerXds();
  const target = `xds:///${SERVERS[0]}`;
  clients = [
    new JsClient('grpc-js-xds client', await provision('client-js', 'client'), { target, xdsCredentials: true }),
    await PyClient.start('grpc-c-core client', await provision('client-py', 'client'), { target, xdsCredentials: true }),
  ];
}, 90_000);

afterAll(async () => {
  for (const c of [...clients, ...closers]) c.close();
  await stopAll();
});

describe('proxyless gRPC with mesh mTLS (built daemon, real clients and servers)', () => {
  it("grpc-js-xds and C-core clients complete RPCs over mTLS to grpc-js-xds and C-core xDS servers, which see the client's SPIFFE id", async () => {
    for (const c of clients) {
      for (const server of SERVERS) {
        await expect.poll(() => c.call(5, `xds:///${server}`), POLL).toEqual(ok(server, 5));
        expect(await c.call(20, `xds:///${server}`), `${c.name} -> ${server}`).toEqual(ok(server, 20));
      }
    }
    await cp.waitForLog(/"proxy":"default.hello-js".*"msg":"proxy connected"/);
    await cp.waitForLog(/"proxy":"default.hello-py".*"msg":"proxy connected"/);
  }, 180_000);

  it('a client without xDS credentials (plaintext) is refused by both servers: they require mTLS', async () => {
    const plain = new JsClient('grpc-js-xds plaintext', await provision('plain-js', 'client'), { target: `xds:///${SERVERS[0]}` });
    closers.push(plain);
    for (const server of SERVERS) {
      const t = await plain.call(3, `xds:///${server}`);
      expect(t, `plaintext -> ${server}`).toEqual({ counts: {}, errors: { [UNAVAILABLE]: 3 } });
    }
  }, 60_000);

  it('a TrafficPermission not allowing the client service makes RPCs fail with PERMISSION_DENIED; allowing it again restores service, nothing restarted', async () => {
    await api('PUT', `/meshes/${MESH}/traffic-permissions/allow-all-${MESH}`, permission('other'));
    for (const c of clients) {
      for (const server of SERVERS) {
        await expect.poll(() => c.call(3, `xds:///${server}`), POLL).toEqual({ counts: {}, errors: { [PERMISSION_DENIED]: 3 } });
      }
    }
    await api('PUT', `/meshes/${MESH}/traffic-permissions/allow-all-${MESH}`, permission('client'));
    for (const c of clients) {
      for (const server of SERVERS) {
        await expect.poll(() => c.call(3, `xds:///${server}`), POLL).toEqual(ok(server, 3));
      }
    }
  }, 180_000);

  it('both libraries accepted every resource: no NACK', () => {
    expect(cp.logs().filter((l) => l.includes('configuration rejected'))).toEqual([]);
  });
});
