import { credentials, Metadata } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import {
  adsClient,
  type AnyMessage,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
  type DiscoveryRequest,
  type DiscoveryResponse,
  type Node,
} from '../../src/grpc/discovery-service.js';
import { jsonToStruct, type JsonValue } from '../../src/grpc/struct.js';
import { envoyType } from '../../src/xds/envoy/protos.js';
import { NotFoundError } from '../../src/core/errors.js';
import { configureLogging, logger } from '../../src/core/logging.js';
import { ProxySnapshot } from '../../src/xds/cache/proxy-snapshot.js';
import { SnapshotCache } from '../../src/xds/cache/snapshot-cache.js';
import { encodeResource } from '../../src/xds/envoy/encode.js';
import { SubscriptionStats } from '../../src/xds/insights/subscription-stats.js';
import { TYPE_URLS, type EncodedResource } from '../../src/xds/resource.js';
import { AdsServer } from '../../src/xds/server/ads-server.js';
import type { StreamSession } from '../../src/xds/server/ads-stream.js';
import type { NodeInfo } from '../../src/xds/server/node-identity.js';
import { serveAds } from '../../src/xds/server/serve.js';
import { SendLimiter } from '../../src/xds/server/send-limiter.js';
import { afterEach, beforeEach } from 'vitest';
import { Metrics } from '../../src/core/metrics.js';
import { createXdsMetrics } from '../../src/xds/xds-metrics.js';
import { EmptyClaMemo } from '../../src/xds/server/empty-cla.js';

/**
 * The project's own ADS test client: a thin typed SotW + delta client over @grpc/grpc-js. Responses are
 * queued in arrival order; `next(typeUrl)` takes the next one (of that type); `received` keeps them all.
 */
export interface NodeOptions {
  readonly id: string;
  readonly userAgent?: string;
  readonly metadata?: Record<string, JsonValue>;
}

export function node(opts: NodeOptions): Node {
  return { id: opts.id, user_agent_name: opts.userAgent ?? 'envoy', metadata: jsonToStruct(opts.metadata ?? {}), cluster: '', locality: null };
}

/** Decodes an Any resource into a plain object (snake_case) for assertions. */
export function decodeResource(any: AnyMessage): Record<string, unknown> {
  const type = envoyType(any.type_url);
  return type.toObject(type.decode(any.value), { longs: String, enums: String, defaults: false });
}

export function resourceNames(res: DiscoveryResponse): string[] {
  return res.resources.map((r) => {
    const o = decodeResource(r);
    return String(o['name'] ?? o['cluster_name']);
  });
}

interface DuplexMethods {
  StreamAggregatedResources(md?: grpc.Metadata): grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;
  DeltaAggregatedResources(md?: grpc.Metadata): grpc.ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
}

function authMetadata(token: string | undefined): grpc.Metadata {
  const md = new Metadata();
  if (token !== undefined) md.set('authorization', token);
  return md;
}

export class AdsTestClient {
  private readonly client: grpc.Client & DuplexMethods;

  /** `caCert`: dial over TLS, trusting this CA (PEM); plaintext without. */
  constructor(address: string, caCert?: string) {
    this.client = (caCert ? adsClient(address, credentials.createSsl(Buffer.from(caCert))) : adsClient(address)) as grpc.Client & DuplexMethods;
  }

  /** `token`: the data-plane token, sent as Envoy does (`authorization` metadata, the raw JWT). */
  sotw(token?: string): TestStream<DiscoveryRequest, DiscoveryResponse> {
    return new TestStream(this.client.StreamAggregatedResources(authMetadata(token)));
  }

  delta(token?: string): TestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    return new TestStream(this.client.DeltaAggregatedResources(authMetadata(token)));
  }

  close(): void {
    this.client.close();
  }
}

export class TestStream<Req, Res extends { type_url: string }> {
  /** Every response received, in order. */
  readonly received: Res[] = [];
  private readonly unread: Res[] = [];
  private readonly waiters: { typeUrl?: string; resolve(r: Res): void; reject(e: Error): void }[] = [];
  private ended: grpc.StatusObject | undefined;
  private readonly statusWaiters: ((s: grpc.StatusObject) => void)[] = [];

  constructor(private readonly call: grpc.ClientDuplexStream<Req, Res>) {
    call.on('data', (res: Res) => {
      this.received.push(res);
      const i = this.waiters.findIndex((w) => !w.typeUrl || w.typeUrl === res.type_url);
      const w = i >= 0 ? this.waiters.splice(i, 1)[0] : undefined;
      if (w) w.resolve(res);
      else this.unread.push(res);
    });
    call.on('status', (s: grpc.StatusObject) => this.end(s));
    call.on('error', () => undefined);
  }

  send(req: Req): this {
    this.call.write(req);
    return this;
  }

  /** The next unread response (of `typeUrl` if given); rejects if the stream ends or after `timeoutMs`. */
  next(typeUrl?: string, timeoutMs = 5000): Promise<Res> {
    const i = this.unread.findIndex((r) => !typeUrl || r.type_url === typeUrl);
    if (i >= 0) return Promise.resolve(this.unread.splice(i, 1)[0] as Res);
    if (this.ended) return Promise.reject(new Error(`stream ended: ${this.ended.code} ${this.ended.details}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const idx = this.waiters.indexOf(waiter);
        if (idx >= 0) this.waiters.splice(idx, 1);
        reject(new Error(`no response${typeUrl ? ` of ${typeUrl}` : ''} within ${timeoutMs}ms`));
      }, timeoutMs);
      const waiter = {
        typeUrl,
        resolve: (r: Res) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Responses received but not yet taken with `next`. */
  get pending(): readonly Res[] {
    return this.unread;
  }

  /** Resolves with the final status once the server ends the stream. */
  status(): Promise<grpc.StatusObject> {
    if (this.ended) return Promise.resolve(this.ended);
    return new Promise((resolve) => this.statusWaiters.push(resolve));
  }

  close(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }

  private end(s: grpc.StatusObject): void {
    this.ended = s;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`stream ended: ${s.code} ${s.details}`));
    for (const r of this.statusWaiters.splice(0)) r(s);
  }
}

/** SotW ACK of `res` (same names as subscribed). */
export function ack(res: DiscoveryResponse, names: readonly string[] = []): DiscoveryRequest {
  return { type_url: res.type_url, version_info: res.version_info, response_nonce: res.nonce, resource_names: [...names] };
}

/** SotW NACK of `res`, keeping `lastGoodVersion`. */
export function nack(res: DiscoveryResponse, lastGoodVersion: string, names: readonly string[] = [], message = 'rejected by test'): DiscoveryRequest {
  return {
    type_url: res.type_url,
    version_info: lastGoodVersion,
    response_nonce: res.nonce,
    resource_names: [...names],
    error_detail: { code: 3, message },
  };
}

// ---- In-process ADS server for protocol tests (synthetic snapshots, fake registration) ----


export const CDS = TYPE_URLS.cluster;
export const EDS = TYPE_URLS.clusterLoadAssignment;
export const LDS = TYPE_URLS.listener;
export const RDS = TYPE_URLS.routeConfiguration;

export const res = {
  cluster: (name: string, connectTimeoutS = 5): EncodedResource =>
    encodeResource(CDS, name, { name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } }, connect_timeout: { seconds: connectTimeoutS } }),
  cla: (name: string, ...ports: number[]): EncodedResource =>
    encodeResource(EDS, name, {
      cluster_name: name,
      endpoints: [
        {
          locality: { zone: 'z' },
          load_balancing_weight: { value: 1 },
          lb_endpoints: ports.map((p) => ({ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: p } } } })),
        },
      ],
    }),
  listener: (name: string, port = 10000): EncodedResource => encodeResource(LDS, name, { name, address: { socket_address: { address: '0.0.0.0', port_value: port } } }),
  route: (name: string, cluster: string): EncodedResource =>
    encodeResource(RDS, name, { name, virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }] }),
};

/** The node id the protocol suites connect as. */
export const TEST_PROXY = 'default.dp-1';

/** Two clusters with endpoints, a listener and two routes: the set the protocol suites start from. */
export const baseResources = (): EncodedResource[] => [
  res.cluster('a'),
  res.cluster('b'),
  res.cla('a', 1),
  res.cla('b', 2),
  res.listener('l1'),
  res.route('r1', 'a'),
  res.route('r2', 'b'),
];

/** A fresh harness per test in the calling suite (registered with beforeEach/afterEach). */
export function useAdsHarness(opts?: Parameters<typeof startAdsHarness>[0]): () => AdsHarness {
  let h: AdsHarness | undefined;
  beforeEach(async () => {
    h = await startAdsHarness(opts);
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  return () => {
    if (!h) throw new Error('useAdsHarness: no harness outside a test');
    return h;
  };
}

export interface AdsHarness {
  readonly address: string;
  readonly cache: SnapshotCache;
  readonly ads: AdsServer;
  /** Stats of every session, by node id, latest last. */
  readonly stats: Map<string, SubscriptionStats[]>;
  readonly closed: string[];
  set(key: string, resources: readonly EncodedResource[]): void;
  client(): AdsTestClient;
  close(): Promise<void>;
}

/**
 * An ADS server over a SnapshotCache the test fills directly. Registration accepts mesh `default` and the
 * dataplane names in `dataplanes`; anything else is NOT_FOUND, as the real lifecycle answers.
 */
export async function startAdsHarness(opts: { dataplanes?: readonly string[]; nackBackoffMs?: number } = {}): Promise<AdsHarness> {
  configureLogging('error');
  const known = new Set(opts.dataplanes ?? ['dp-1', 'dp-2']);
  const cache = new SnapshotCache();
  const stats = new Map<string, SubscriptionStats[]>();
  const closed: string[] = [];
  const connect = (info: NodeInfo): Promise<StreamSession> => {
    if (info.mesh !== 'default') return Promise.reject(new NotFoundError('Mesh', info.mesh, ''));
    if (!known.has(info.name)) return Promise.reject(new NotFoundError('Dataplane', info.name, info.mesh));
    const s = new SubscriptionStats('cp-test', undefined);
    stats.set(info.key, [...(stats.get(info.key) ?? []), s]);
    return Promise.resolve({
      identity: info,
      stats: s,
      close: () => {
        closed.push(info.key);
        return Promise.resolve();
      },
    });
  };
  const log = logger('ads-test');
  const ads = new AdsServer({ cache, limiter: new SendLimiter(4), nackBackoffMs: opts.nackBackoffMs ?? 100, controlPlaneId: 'cp-test', log, metrics: new Metrics().of(createXdsMetrics), emptyCla: new EmptyClaMemo(), connect });
  const serving = await serveAds(ads.handlers(), 'dp-server', '127.0.0.1', 0, log);
  const { port } = serving;
  const clients: AdsTestClient[] = [];
  return {
    address: `127.0.0.1:${port}`,
    cache,
    ads,
    stats,
    closed,
    set: (key, resources) => cache.set(key, ProxySnapshot.from(resources)),
    client: () => {
      const c = new AdsTestClient(`127.0.0.1:${port}`);
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) c.close();
      await ads.closeAll();
      await serving.close(0);
    },
  };
}
