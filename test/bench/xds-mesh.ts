/**
 * The xDS bench's mesh, set up over the REST API like Kong's mesh-perf: S services x R replicas, every
 * replica one transparent-proxy sidecar that reaches every service through its VIP outbounds, plus the
 * changes the bench measures (a mesh-wide Timeout change, one more endpoint of one service).
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { CpProcess } from '../helpers/cp-process.js';

export const MESH = 'bench';
const EVERYTHING = [{ match: { 'kuma.io/service': '*' } }];

async function put(url: string, body: object): Promise<void> {
  const res = await fetch(url, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (res.status !== 200 && res.status !== 201) throw new Error(`PUT ${url}: ${res.status} ${await res.text()}`);
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const ip = (i: number): string => `10.${1 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;

export const proxyName = (service: number, replica: number): string => `svc-${service}-${replica}`;

function dataplane(service: number, replica: number, index: number): object {
  return {
    type: 'Dataplane',
    mesh: MESH,
    name: proxyName(service, replica),
    networking: {
      address: ip(index),
      inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': `svc-${service}`, 'kuma.io/protocol': 'http' } }],
      transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001 },
    },
  };
}

/**
 * Creates the mesh and its S x R Dataplanes; resolves once every service has its VIP (answers over DNS).
 * `mtls`: the mesh has a builtin CA enabled (every proxy then needs a signed workload certificate).
 */
export async function createMesh(cp: CpProcess, services: number, replicas: number, mtls = false, vipTimeoutMs = 120_000): Promise<void> {
  const ca = { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] };
  await put(`${cp.apiUrl}/meshes/${MESH}`, { type: 'Mesh', name: MESH, ...(mtls ? { mtls: ca } : {}) });
  const dps: object[] = [];
  for (let s = 0; s < services; s++) for (let r = 0; r < replicas; r++) dps.push(dataplane(s, r, dps.length));
  await pool(dps, 16, (dp) => put(`${cp.apiUrl}/meshes/${MESH}/dataplanes/${(dp as { name: string }).name}`, dp));
  await waitForVips(cp.ports.dnsUdp ?? 0, services, vipTimeoutMs);
}

async function waitForVips(port: number, services: number, timeoutMs: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  try {
    const deadline = Date.now() + timeoutMs;
    for (let s = 0; s < services; s++) {
      while (!(await resolves(sock, port, `svc-${s}.mesh`))) {
        if (Date.now() > deadline) throw new Error(`svc-${s}.mesh got no VIP within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    sock.close();
  }
}

function resolves(sock: dgram.Socket, port: number, name: string): Promise<boolean> {
  return new Promise((resolve) => {
    const id = Math.floor(Math.random() * 65536);
    const timer = setTimeout(() => done(false), 1000);
    const onMessage = (msg: Buffer): void => {
      if (msg.readUInt16BE(0) === id) done((dnsPacket.decode(msg).answers?.length ?? 0) > 0);
    };
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(ok);
    };
    sock.on('message', onMessage);
    sock.send(dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] }), port, '127.0.0.1');
  });
}

/** The mesh-wide change: the default Timeout with other values (`round` makes each change distinct). */
export async function changeTimeout(cp: CpProcess, round: number): Promise<void> {
  const name = `timeout-all-${MESH}`;
  await put(`${cp.apiUrl}/meshes/${MESH}/timeouts/${name}`, {
    type: 'Timeout',
    mesh: MESH,
    name,
    sources: EVERYTHING,
    destinations: EVERYTHING,
    conf: {
      connectTimeout: `${6 + round}s`,
      tcp: { idleTimeout: `${3600 + round}s` },
      http: { requestTimeout: `${16 + round}s`, idleTimeout: `${3600 + round}s` },
      grpc: { streamIdleTimeout: '5m' },
    },
  });
}

/** One more instance of `svc-<service>` (not connected): only that service's endpoints change. */
export async function addEndpoint(cp: CpProcess, service: number, replicas: number, index: number): Promise<void> {
  const dp = dataplane(service, replicas, index);
  await put(`${cp.apiUrl}/meshes/${MESH}/dataplanes/${proxyName(service, replicas)}`, dp);
}
