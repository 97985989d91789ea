/**
 * Child processes of the xDS bench (`xds-bench.ts`), forked so that their CPU does not share an event loop
 * with the server under test:
 *   - `client`: N Envoy-style SotW ADS streams (one channel and TCP connection each, like N Envoys) that
 *     subscribe CDS+LDS, then EDS/RDS by the names the clusters and listeners carry, and ACK every response;
 *   - `baseline`: a minimal raw @grpc/grpc-js ADS server that answers with pre-encoded DiscoveryResponse bytes
 *     recorded from the daemon in the same run (same bytes per proxy), and on `push` writes the recorded
 *     change responses to every stream at once.
 * Both talk to the parent over the fork IPC channel (messages below).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { configureLogging, logger } from '../../src/core/logging.js';
import { adsServiceDefinition, type DiscoveryRequest, type DiscoveryResponse, type Node } from '../../src/grpc/discovery-service.js';
import { jsonToStruct } from '../../src/grpc/struct.js';
import { bindGrpcServer, newGrpcServer } from '../../src/grpc/transport.js';
import { envoyType } from '../../src/xds/envoy/protos.js';
import { TYPE_URLS } from '../../src/xds/resource.js';

export const CDS = TYPE_URLS.cluster;
export const EDS = TYPE_URLS.clusterLoadAssignment;
export const LDS = TYPE_URLS.listener;
export const RDS = TYPE_URLS.routeConfiguration;
const ALL_TYPES: readonly string[] = [CDS, EDS, LDS, RDS];
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/** Parent -> child. */
export type ToChild =
  | { cmd: 'connect'; address: string; n: number; mesh: string }
  | { cmd: 'arm' }
  | { cmd: 'record'; file: string }
  | { cmd: 'serve'; file: string }
  | { cmd: 'push' }
  | { cmd: 'close' };

/** Per-type response counts and bytes of one phase, summed over all streams. */
export interface PhaseTraffic {
  readonly responses: Record<string, number>;
  readonly bytes: number;
}

/** Child -> parent. hrtime values are decimal strings of process.hrtime.bigint() (CLOCK_MONOTONIC, shared by processes). */
export type FromChild =
  | { ev: 'connected'; startNs: string; lastAckNs: string; traffic: PhaseTraffic }
  | { ev: 'armed' }
  | { ev: 'changed'; lastAckNs: string; traffic: PhaseTraffic }
  | { ev: 'recorded' }
  | { ev: 'listening'; port: number }
  | { ev: 'pushed' }
  | { ev: 'error'; message: string };

/** What the client recorded from one proxy's stream: the first response of each type, then the change responses. */
interface Recording {
  init: Record<string, string>;
  change: string[];
}

const send = (msg: FromChild): void => {
  process.send?.(msg);
};

const method = (): grpc.MethodDefinition<DiscoveryRequest, DiscoveryResponse> =>
  adsServiceDefinition()['StreamAggregatedResources'] as grpc.MethodDefinition<DiscoveryRequest, DiscoveryResponse>;

interface Received {
  readonly raw: Buffer;
  readonly msg: DiscoveryResponse;
}

interface DecodedCluster {
  name?: string;
  eds_cluster_config?: object | null;
}
interface DecodedListener {
  filter_chains?: { filters?: { typed_config?: { type_url?: string; value?: Uint8Array } | null }[] }[];
}
interface DecodedHcm {
  rds?: { route_config_name?: string } | null;
}

/** EDS names a sidecar subscribes to after a CDS response: its EDS clusters. */
function edsNames(res: DiscoveryResponse): string[] {
  const type = envoyType(CDS);
  const out: string[] = [];
  for (const r of res.resources) {
    const c = type.decode(r.value) as unknown as DecodedCluster;
    if (c.eds_cluster_config && c.name) out.push(c.name);
  }
  return out.sort();
}

/** RDS names a sidecar subscribes to after an LDS response: the route configs its HTTP listeners name. */
function rdsNames(res: DiscoveryResponse): string[] {
  const lt = envoyType(LDS);
  const ht = envoyType(HCM);
  const out = new Set<string>();
  for (const r of res.resources) {
    const l = lt.decode(r.value) as unknown as DecodedListener;
    for (const chain of l.filter_chains ?? []) {
      for (const f of chain.filters ?? []) {
        if (f.typed_config?.type_url !== HCM || !f.typed_config.value) continue;
        const name = (ht.decode(f.typed_config.value) as unknown as DecodedHcm).rds?.route_config_name;
        if (name) out.add(name);
      }
    }
  }
  return [...out].sort();
}

class Proxy {
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<DiscoveryRequest, Received>;
  readonly acked = new Set<string>();
  lastAckNs = 0n;
  armed = false;
  postArm = 0;
  readonly recording: Recording = { init: {}, change: [] };
  private readonly names = new Map<string, string[]>([
    [EDS, []],
    [RDS, []],
  ]);
  private readonly last = new Map<string, DiscoveryResponse>();

  constructor(
    address: string,
    node: Node,
    private readonly traffic: () => Traffic,
  ) {
    const m = method();
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    this.call = this.client.makeBidiStreamRequest<DiscoveryRequest, Received>(m.path, m.requestSerialize, (raw: Buffer) => ({ raw, msg: m.responseDeserialize(raw) }));
    this.call.on('data', (r: Received) => this.onData(r));
    this.call.on('error', (err: Error) => {
      if (!closing) send({ ev: 'error', message: `stream ${node.id ?? ''}: ${err.message}` });
    });
    this.call.write({ type_url: CDS, node, resource_names: [] });
    this.call.write({ type_url: LDS, resource_names: [] });
  }

  private onData({ raw, msg }: Received): void {
    const t = this.traffic();
    t.bytes += raw.length;
    t.responses[msg.type_url] = (t.responses[msg.type_url] ?? 0) + 1;
    if (this.armed) this.recording.change.push(raw.toString('base64'));
    else this.recording.init[msg.type_url] ??= raw.toString('base64');
    this.last.set(msg.type_url, msg);
    // Like Envoy: subscribe to what the new clusters/listeners need, then ACK.
    if (msg.type_url === CDS) this.subscribe(EDS, edsNames(msg));
    if (msg.type_url === LDS) this.subscribe(RDS, rdsNames(msg));
    const names = this.names.get(msg.type_url) ?? [];
    this.call.write({ type_url: msg.type_url, version_info: msg.version_info, response_nonce: msg.nonce, resource_names: names });
    this.lastAckNs = process.hrtime.bigint();
    this.acked.add(msg.type_url);
    if (this.armed) this.postArm++;
  }

  private subscribe(typeUrl: string, names: string[]): void {
    const before = this.names.get(typeUrl) ?? [];
    if (before.length === names.length && before.every((n, i) => n === names[i])) return;
    this.names.set(typeUrl, names);
    const prev = this.last.get(typeUrl);
    this.call.write({ type_url: typeUrl, version_info: prev?.version_info ?? '', response_nonce: prev?.nonce ?? '', resource_names: names });
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

interface Traffic {
  responses: Record<string, number>;
  bytes: number;
}

let closing = false;

const until = async (check: () => boolean, what: string, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const maxAck = (proxies: readonly Proxy[]): bigint => proxies.reduce((m, p) => (p.lastAckNs > m ? p.lastAckNs : m), 0n);

function runClient(): void {
  const proxies: Proxy[] = [];
  let traffic: Traffic = { responses: {}, bytes: 0 };
  process.on('message', (raw: ToChild) => {
    void (async () => {
      try {
        switch (raw.cmd) {
          case 'connect': {
            const startNs = process.hrtime.bigint();
            for (let i = 0; i < raw.n; i++) {
              const node: Node = { id: `${raw.mesh}.proxy-${i}`, user_agent_name: 'envoy', cluster: '', metadata: jsonToStruct({}), locality: null };
              proxies.push(new Proxy(raw.address, node, () => traffic));
            }
            await until(() => proxies.every((p) => ALL_TYPES.every((t) => p.acked.has(t))), `${raw.n} proxies to ACK CDS, EDS, LDS and RDS`, 90_000);
            // Late responses of the initial phase (a second push while others connected) still count as initial.
            await quiet(() => traffic.bytes, 300);
            send({ ev: 'connected', startNs: String(startNs), lastAckNs: String(maxAck(proxies)), traffic });
            break;
          }
          case 'arm':
            traffic = { responses: {}, bytes: 0 };
            for (const p of proxies) p.armed = true;
            send({ ev: 'armed' });
            await until(() => proxies.every((p) => p.postArm > 0), 'every proxy to receive the change', 90_000);
            await quiet(() => traffic.bytes, 500);
            send({ ev: 'changed', lastAckNs: String(maxAck(proxies)), traffic });
            break;
          case 'record':
            writeFileSync(raw.file, JSON.stringify(proxies.map((p) => p.recording)));
            send({ ev: 'recorded' });
            break;
          case 'close':
            closing = true;
            for (const p of proxies) p.close();
            process.exit(0);
            break;
          default:
            break;
        }
      } catch (err) {
        send({ ev: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}

/** Resolves once `value()` has not changed for `ms`. */
async function quiet(value: () => number, ms: number): Promise<void> {
  let last = value();
  let since = Date.now();
  while (Date.now() - since < ms) {
    await new Promise((r) => setTimeout(r, 20));
    const v = value();
    if (v !== last) {
      last = v;
      since = Date.now();
    }
  }
}

type BaselineCall = grpc.ServerDuplexStream<DiscoveryRequest, Buffer>;

async function runBaseline(): Promise<void> {
  configureLogging('off');
  let recordings: Recording[] = [];
  const streams: { call: BaselineCall; index: number }[] = [];
  const m = method();
  const definition: grpc.ServiceDefinition = {
    StreamAggregatedResources: { ...m, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
  };
  const handler = (call: BaselineCall): void => {
    let index = -1;
    const sent = new Set<string>();
    call.on('data', (req: DiscoveryRequest) => {
      if (index < 0) {
        index = Number(/proxy-(\d+)$/.exec(req.node?.id ?? '')?.[1] ?? -1);
        streams.push({ call, index });
      }
      const type = req.type_url ?? '';
      const bytes = recordings[index]?.init[type];
      if (sent.has(type) || !bytes) return; // an ACK, or nothing to serve
      sent.add(type);
      call.write(Buffer.from(bytes, 'base64'));
    });
    call.on('error', () => undefined);
  };
  const server = newGrpcServer();
  server.addService(definition, { StreamAggregatedResources: handler });
  let change: Buffer[][] = [];
  process.on('message', (raw: ToChild) => {
    void (async () => {
      try {
        switch (raw.cmd) {
          case 'serve': {
            recordings = JSON.parse(readFileSync(raw.file, 'utf8')) as Recording[];
            change = recordings.map((r) => r.change.map((b) => Buffer.from(b, 'base64')));
            const port = await bindGrpcServer(server, 'baseline', '127.0.0.1', 0, logger('baseline'));
            send({ ev: 'listening', port });
            break;
          }
          case 'push':
            // Pre-encoded bytes to every stream at once: the floor for "write the bytes".
            for (const s of streams) for (const b of change[s.index] ?? []) s.call.write(b);
            send({ ev: 'pushed' });
            break;
          case 'close':
            server.forceShutdown();
            process.exit(0);
            break;
          default:
            break;
        }
      } catch (err) {
        send({ ev: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
}

const role = process.argv[2];
if (role === 'client') runClient();
else if (role === 'baseline') await runBaseline();
else if (role !== undefined) {
  process.stderr.write(`xds-fanout: unknown role ${role}\n`);
  process.exit(2);
}
