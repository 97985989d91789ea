/**
 * Child processes of the xDS bench (`xds-bench.ts`), forked so that their CPU does not share an event loop
 * with the server under test:
 *   - `client`: N Envoy-style SotW ADS streams (one channel and TCP connection each, like N Envoys) that
 *     subscribe CDS+LDS, then EDS/RDS by the names the clusters and listeners carry, and ACK every response;
 *     it reports, per phase (connect, each change), when every stream has ACKed and the traffic received;
 *   - `baseline`: a minimal raw @grpc/grpc-js ADS server that answers with DiscoveryResponse bytes recorded
 *     from the daemon in the same run, and on `push` writes the recorded change responses to every stream.
 * Recordings are de-duplicated by (type, resource count, byte size): proxies whose responses differ only in
 * their own addresses share one recorded response of exactly their size, so 2,000 proxies x 1 MB fit in
 * memory while the baseline writes the same number of bytes per stream as the daemon did.
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
import { scanResponse, stringField, type ScannedResponse } from './xds-wire.js';

export const CDS = TYPE_URLS.cluster;
export const EDS = TYPE_URLS.clusterLoadAssignment;
export const LDS = TYPE_URLS.listener;
export const RDS = TYPE_URLS.routeConfiguration;
const SDS = TYPE_URLS.secret;
const ALL_TYPES: readonly string[] = [CDS, EDS, LDS, RDS];
/** With mesh mTLS the proxies also need their SDS secrets before they are ready. */
const MTLS_TYPES: readonly string[] = [...ALL_TYPES, SDS];
/** Envoy's default HTTP/2 stream and connection flow-control window (256 MiB). */
const ENVOY_WINDOW = 256 * 1024 * 1024;
const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/** Parent -> child. */
export type ToChild =
  | { cmd: 'connect'; address: string; ids: string[]; timeoutMs: number; sds?: boolean }
  /** `expectBytes`: the phase is not over before that many bytes arrived (a baseline push of known size). */
  | { cmd: 'arm'; record: boolean; timeoutMs: number; expectBytes?: number }
  | { cmd: 'record'; file: string }
  | { cmd: 'serve'; file: string }
  | { cmd: 'push' }
  | { cmd: 'close' };

/** Per-type response counts and bytes of one phase, summed over all streams. */
export interface PhaseTraffic {
  readonly responses: Record<string, number>;
  readonly bytes: number;
  /** Streams that received at least one response in the phase. */
  readonly streams: number;
}

/** How a phase ended: hrtime values are decimal strings of process.hrtime.bigint() (CLOCK_MONOTONIC, shared by processes). */
export interface PhaseResult {
  readonly startNs: string;
  /** The last ACK of the phase (on any stream). */
  readonly lastAckNs: string;
  /** Streams that completed the phase (connect: ACKed all four types; change: received and ACKed something). */
  readonly done: number;
  readonly complete: boolean;
  readonly traffic: PhaseTraffic;
  /** Streams re-opened so far after the server dropped them (connection resets, listen-queue overflows). */
  readonly reconnects: number;
  /** Why streams ended, most frequent first (gRPC status and details): what to look for in the server. */
  readonly dropReasons: string;
}

/** Child -> parent. */
export type FromChild =
  | ({ ev: 'connected' } & PhaseResult)
  | { ev: 'armed' }
  | ({ ev: 'changed' } & PhaseResult)
  | { ev: 'recorded' }
  | { ev: 'listening'; port: number }
  | { ev: 'pushed' }
  | { ev: 'error'; message: string };

/** Recorded responses: distinct bytes once, and per proxy (by node id) which of them it got. */
interface Recordings {
  blobs: Record<string, string>;
  proxies: Record<string, { init: Record<string, string>; change: string[] }>;
}

const send = (msg: FromChild): void => {
  process.send?.(msg);
};

const method = (): grpc.MethodDefinition<DiscoveryRequest, DiscoveryResponse> =>
  adsServiceDefinition()['StreamAggregatedResources'] as grpc.MethodDefinition<DiscoveryRequest, DiscoveryResponse>;

interface DecodedCluster {
  eds_cluster_config?: object | null;
}
interface DecodedListener {
  filter_chains?: { filters?: { typed_config?: { type_url?: string; value?: Uint8Array } | null }[] }[];
}
interface DecodedHcm {
  rds?: { route_config_name?: string } | null;
}

/**
 * Names a response makes a sidecar subscribe to (clusters: their EDS names; listeners: their RDS names).
 * Every response is scanned (each resource's name, field 1); identical resources (name, size) are decoded
 * once. Not memoised by version_info: the raw baseline replays one proxy's bytes to all (one version), the
 * daemon gives each proxy its own CDS/LDS version (its own inbound listener and local cluster), and the
 * client must spend the same on the same bytes in both runs.
 */
class NameCache {
  private readonly memo = new Map<string, readonly string[]>();

  constructor(private readonly extract: (value: Buffer, name: string) => string[]) {}

  names(res: ScannedResponse): string[] {
    const out = new Set<string>();
    for (const value of res.resources()) {
      const name = stringField(value, 1);
      const key = `${name}|${value.length}`;
      let found = this.memo.get(key);
      if (!found) this.memo.set(key, (found = this.extract(value, name)));
      for (const n of found) out.add(n);
    }
    return [...out].sort();
  }
}

const edsNames = new NameCache((value, name) => ((envoyType(CDS).decode(value) as unknown as DecodedCluster).eds_cluster_config ? [name] : []));
const rdsNames = new NameCache((value) => {
  const l = envoyType(LDS).decode(value) as unknown as DecodedListener;
  const out: string[] = [];
  for (const chain of l.filter_chains ?? []) {
    for (const f of chain.filters ?? []) {
      if (f.typed_config?.type_url !== HCM || !f.typed_config.value) continue;
      const name = (envoyType(HCM).decode(f.typed_config.value) as unknown as DecodedHcm).rds?.route_config_name;
      if (name) out.push(name);
    }
  }
  return out;
});

interface Phase {
  readonly startNs: bigint;
  responses: Record<string, number>;
  bytes: number;
  record: boolean;
}

class Proxy {
  private readonly client: grpc.Client;
  private call!: grpc.ClientDuplexStream<DiscoveryRequest, ScannedResponse>;
  readonly acked = new Set<string>();
  lastAckNs = 0n;
  /** Responses received in the current phase. */
  inPhase = 0;
  /** Streams re-opened after the server dropped one (like Envoy, which reconnects). */
  reconnects = 0;
  readonly recording: { init: Record<string, string>; change: string[] } = { init: {}, change: [] };
  private names = new Map<string, string[]>();
  /** Per type, what the next request of that type quotes (not the response: 2,000 x 1 MB would stay alive). */
  private last = new Map<string, { readonly versionInfo: string; readonly nonce: string }>();

  constructor(
    address: string,
    readonly id: string,
    private readonly phase: () => Phase,
    private readonly recorder: Recorder,
    private readonly sds = false,
  ) {
    this.client = new grpc.Client(address, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
      // Envoy's HTTP/2 default windows (initial_stream_window_size / initial_connection_window_size 256 MiB):
      // with grpc-js's 64 KiB default a 1 MB response would need ~16 window updates from this busy process.
      'grpc-node.flow_control_window': ENVOY_WINDOW,
    });
    this.open();
  }

  private open(): void {
    const m = method();
    this.names = new Map([
      [EDS, []],
      [RDS, []],
    ]);
    this.last = new Map();
    const call = this.client.makeBidiStreamRequest<DiscoveryRequest, ScannedResponse>(m.path, m.requestSerialize, scanResponse);
    this.call = call;
    call.on('data', (r: ScannedResponse) => {
      if (this.call === call) this.onData(r);
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (closing || this.call !== call) return;
      this.reconnects++;
      const reason = `${grpc.status[err.code] ?? err.code}: ${err.details.slice(0, 80)}`;
      dropReasons.set(reason, (dropReasons.get(reason) ?? 0) + 1);
      setTimeout(() => this.open(), 100 + Math.random() * 400);
    });
    const node: Node = { id: this.id, user_agent_name: 'envoy', cluster: '', metadata: jsonToStruct({}), locality: null };
    call.write({ type_url: CDS, node, resource_names: [] });
    call.write({ type_url: LDS, resource_names: [] });
    // Mesh mTLS: the secrets every mesh cluster and inbound listener names (Kuma's SDS names).
    if (this.sds) call.write({ type_url: SDS, resource_names: this.secretNames() });
  }

  private secretNames(): string[] {
    const mesh = this.id.slice(0, this.id.indexOf('.'));
    return [`identity_cert:secret:${mesh}`, `mesh_ca:secret:${mesh}`];
  }

  private onData(msg: ScannedResponse): void {
    const phase = this.phase();
    phase.bytes += msg.raw.length;
    phase.responses[msg.typeUrl] = (phase.responses[msg.typeUrl] ?? 0) + 1;
    if (this.acked.size < ALL_TYPES.length) this.recording.init[msg.typeUrl] ??= this.recorder.key(msg);
    else if (phase.record) this.recording.change.push(this.recorder.key(msg));
    this.last.set(msg.typeUrl, { versionInfo: msg.versionInfo, nonce: msg.nonce });
    // Like Envoy: subscribe to what the new clusters/listeners need, then ACK.
    if (msg.typeUrl === CDS) this.subscribe(EDS, edsNames.names(msg));
    if (msg.typeUrl === LDS) this.subscribe(RDS, rdsNames.names(msg));
    const names = msg.typeUrl === SDS ? this.secretNames() : (this.names.get(msg.typeUrl) ?? []);
    this.call.write({ type_url: msg.typeUrl, version_info: msg.versionInfo, response_nonce: msg.nonce, resource_names: names });
    this.lastAckNs = process.hrtime.bigint();
    this.acked.add(msg.typeUrl);
    this.inPhase++;
  }

  private subscribe(typeUrl: string, names: string[]): void {
    const before = this.names.get(typeUrl) ?? [];
    if (before.length === names.length && before.every((n, i) => n === names[i])) return;
    this.names.set(typeUrl, names);
    const prev = this.last.get(typeUrl);
    this.call.write({ type_url: typeUrl, version_info: prev?.versionInfo ?? '', response_nonce: prev?.nonce ?? '', resource_names: names });
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

/** Distinct responses by (type, resource count, size). */
class Recorder {
  readonly blobs = new Map<string, Buffer>();

  key(msg: ScannedResponse): string {
    const key = `${msg.typeUrl}|${msg.count}|${msg.raw.length}`;
    if (!this.blobs.has(key)) this.blobs.set(key, Buffer.from(msg.raw));
    return key;
  }
}

let closing = false;
/** Stream errors by reason, over all proxies of the client. */
const dropReasons = new Map<string, number>();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for `check` (true) or the deadline (false). */
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** Resolves once `value()` has not changed for `ms`, or at `deadline` (Date.now() ms) while it still changes. */
async function quiet(value: () => number, ms: number, deadline: number): Promise<void> {
  let last = value();
  let since = Date.now();
  while (Date.now() - since < ms && Date.now() < deadline) {
    await sleep(20);
    const v = value();
    if (v !== last) {
      last = v;
      since = Date.now();
    }
  }
}

function result(proxies: readonly Proxy[], phase: Phase, done: number): PhaseResult {
  const lastAck = proxies.reduce((m, p) => (p.inPhase > 0 && p.lastAckNs > m ? p.lastAckNs : m), 0n);
  return {
    startNs: String(phase.startNs),
    lastAckNs: String(lastAck),
    done,
    complete: done === proxies.length,
    traffic: { responses: phase.responses, bytes: phase.bytes, streams: proxies.filter((p) => p.inPhase > 0).length },
    reconnects: proxies.reduce((n, p) => n + p.reconnects, 0),
    dropReasons: [...dropReasons]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([r, n]) => `${n}x ${r}`)
      .join('; '),
  };
}

function runClient(): void {
  const proxies: Proxy[] = [];
  const recorder = new Recorder();
  let phase: Phase = { startNs: process.hrtime.bigint(), responses: {}, bytes: 0, record: false };
  const current = (): Phase => phase;
  process.on('message', (raw: ToChild) => {
    void (async () => {
      try {
        switch (raw.cmd) {
          case 'connect': {
            phase = { startNs: process.hrtime.bigint(), responses: {}, bytes: 0, record: false };
            for (const id of raw.ids) proxies.push(new Proxy(raw.address, id, current, recorder, raw.sds));
            const types = raw.sds ? MTLS_TYPES : ALL_TYPES;
            const all = (p: Proxy): boolean => types.every((t) => p.acked.has(t));
            const deadline = Date.now() + raw.timeoutMs;
            await until(() => proxies.every(all), raw.timeoutMs);
            // Late responses of the initial phase (a second push while others connected) still count as initial.
            await quiet(() => phase.bytes, 300, deadline);
            send({ ev: 'connected', ...result(proxies, phase, proxies.filter(all).length) });
            break;
          }
          case 'arm': {
            phase = { startNs: process.hrtime.bigint(), responses: {}, bytes: 0, record: raw.record };
            for (const p of proxies) p.inPhase = 0;
            send({ ev: 'armed' });
            const deadline = Date.now() + raw.timeoutMs;
            const expect = raw.expectBytes ?? 0;
            await until(() => phase.bytes >= expect && proxies.every((p) => p.inPhase > 0), raw.timeoutMs);
            // A stream's later types (LDS, RDS) may follow its first response only after the server's next
            // generation batch: a long quiet period, so the phase is not cut short by a stalled server.
            await quiet(() => phase.bytes, 1500, deadline);
            const r = result(proxies, phase, proxies.filter((p) => p.inPhase > 0).length);
            // Every proxy got something, but not every expected byte: the push was cut short.
            send({ ev: 'changed', ...r, complete: r.complete && phase.bytes >= expect });
            break;
          }
          case 'record': {
            const out: Recordings = { blobs: {}, proxies: {} };
            for (const [k, b] of recorder.blobs) out.blobs[k] = b.toString('base64');
            for (const p of proxies) out.proxies[p.id] = p.recording;
            writeFileSync(raw.file, JSON.stringify(out));
            send({ ev: 'recorded' });
            break;
          }
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

type BaselineCall = grpc.ServerDuplexStream<DiscoveryRequest, Buffer>;

/** Streams the baseline writes to at once during a push (the daemon's own bound on concurrent writes). */
const BASELINE_WRITERS = 64;

function runBaseline(): void {
  configureLogging('off');
  let recordings: Recordings = { blobs: {}, proxies: {} };
  const blobs = new Map<string, Buffer>();
  const streams: { call: BaselineCall; id: string }[] = [];
  const m = method();
  const definition: grpc.ServiceDefinition = {
    StreamAggregatedResources: { ...m, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
  };
  const handler = (call: BaselineCall): void => {
    let id: string | undefined;
    const sent = new Set<string>();
    call.on('data', (req: DiscoveryRequest) => {
      if (id === undefined) {
        id = req.node?.id ?? '';
        streams.push({ call, id });
      }
      const type = req.type_url ?? '';
      const bytes = blobs.get(recordings.proxies[id]?.init[type] ?? '');
      if (sent.has(type) || !bytes) return; // an ACK, or nothing to serve
      sent.add(type);
      call.write(bytes);
    });
    call.on('error', () => undefined);
  };
  const server = newGrpcServer();
  server.addService(definition, { StreamAggregatedResources: handler });
  const write = (call: BaselineCall, b: Buffer): Promise<void> => new Promise((resolve) => call.write(b, () => resolve()));
  process.on('message', (raw: ToChild) => {
    void (async () => {
      try {
        switch (raw.cmd) {
          case 'serve': {
            recordings = JSON.parse(readFileSync(raw.file, 'utf8')) as Recordings;
            for (const [k, b64] of Object.entries(recordings.blobs)) blobs.set(k, Buffer.from(b64, 'base64'));
            const port = await bindGrpcServer(server, 'baseline', '127.0.0.1', 0, logger('baseline'));
            send({ ev: 'listening', port });
            break;
          }
          case 'push': {
            // Pre-encoded bytes to every stream, each stream's responses in order, BASELINE_WRITERS streams at a
            // time: the floor for "write the bytes" with bounded buffering.
            let next = 0;
            const worker = async (): Promise<void> => {
              while (next < streams.length) {
                const s = streams[next++];
                if (!s) continue;
                for (const key of recordings.proxies[s.id]?.change ?? []) {
                  const b = blobs.get(key);
                  if (b) await write(s.call, b);
                }
              }
            };
            send({ ev: 'pushed' });
            await Promise.all(Array.from({ length: BASELINE_WRITERS }, worker));
            break;
          }
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
else if (role === 'baseline') runBaseline();
else if (role !== undefined) {
  process.stderr.write(`xds-fanout: unknown role ${role}\n`);
  process.exit(2);
}
