import { connect as http2Connect } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, logger } from '../../core/logging.js';
import { AdsTestClient, CDS, LDS, node, res, resourceNames } from '../../../test/helpers/ads-client.js';
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { SnapshotCache } from '../cache/snapshot-cache.js';
import { SubscriptionStats } from '../insights/subscription-stats.js';
import { ADS_SERVICE } from '../../grpc/discovery-service.js';
import { AdsServer } from './ads-server.js';
import type { StreamSession } from './ads-stream.js';
import type { NodeInfo } from './node-identity.js';
import { MAX_TYPES_PER_STREAM } from './protocol.js';
import { serveAds } from './serve.js';
import { SendLimiter } from './send-limiter.js';
import { Metrics } from '../../core/metrics.js';
import { createXdsMetrics } from '../xds-metrics.js';
import { EmptyClaMemo } from './empty-cla.js';

configureLogging('off');

/** Malformed input and abrupt peers on the ADS port: the stream ends, the server keeps serving everyone else. */
interface Server {
  readonly address: string;
  readonly ads: AdsServer;
  readonly cache: SnapshotCache;
  readonly opened: string[];
  readonly closed: string[];
  /** Registration waits for this gate when set (a slow store). */
  gate?: Promise<void>;
  stop(): Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function start(): Promise<Server> {
  const cache = new SnapshotCache();
  const log = logger('ads-robustness');
  const srv: { -readonly [K in keyof Server]: Server[K] } = {} as Server;
  const connect = async (info: NodeInfo): Promise<StreamSession> => {
    srv.opened.push(info.key);
    await srv.gate;
    return { identity: info, stats: new SubscriptionStats('cp', undefined), close: () => (srv.closed.push(info.key), Promise.resolve()) };
  };
  const ads = new AdsServer({ cache, limiter: new SendLimiter(4), nackBackoffMs: 100, controlPlaneId: 'cp', log, metrics: new Metrics().of(createXdsMetrics), emptyCla: new EmptyClaMemo(), connect });
  const serving = await serveAds(ads.handlers(), 'dp-server', '127.0.0.1', 0, log);
  const { port } = serving;
  Object.assign(srv, {
    address: `127.0.0.1:${port}`,
    ads,
    cache,
    opened: [],
    closed: [],
    stop: async () => {
      await ads.closeAll();
      await serving.close(0);
    },
  });
  servers.push(srv);
  return srv;
}

const KEY = 'default.dp-1';
const snapshot = () => ProxySnapshot.from([res.cluster('a'), res.listener('l1')]);

/** Writes raw bytes as request messages of `method` and resolves with the final status. */
function rawCall(address: string, method: string, messages: readonly Buffer[]): Promise<grpc.StatusObject> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeBidiStreamRequest(`/${ADS_SERVICE}/${method}`, (b: Buffer) => b, (b: Buffer) => b);
  return new Promise((resolve) => {
    call.on('error', () => undefined);
    call.on('data', () => undefined);
    call.on('status', (st: grpc.StatusObject) => {
      client.close();
      resolve(st);
    });
    for (const m of messages) call.write(m);
  });
}

/** A DiscoveryRequest {node: {id, user_agent_name: envoy}, type_url} encoded by hand (node = 2, type_url = 4; Node.id = 1, user_agent_name = 6). */
function encodedRequest(id: string, typeUrl: string): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 2).string(id).uint32((6 << 3) | 2).string('envoy').ldelim();
  w.uint32((4 << 3) | 2).string(typeUrl);
  return Buffer.from(w.finish());
}

/** The gRPC length-prefixed framing of one message. */
function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

async function stillServes(srv: Server): Promise<void> {
  srv.cache.set(KEY, snapshot());
  const client = new AdsTestClient(srv.address);
  const s = client.sotw();
  s.send({ type_url: CDS, node: node({ id: KEY }) });
  expect(resourceNames(await s.next(CDS))).toEqual(['a']);
  s.cancel();
  client.close();
}

describe('ADS robustness', () => {
  it('ends a stream of undecodable bytes with INVALID_ARGUMENT (SotW and delta) and keeps serving', async () => {
    const srv = await start();
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a, 0x05]);
    for (const method of ['StreamAggregatedResources', 'DeltaAggregatedResources']) {
      const st = await rawCall(srv.address, method, [garbage]);
      expect(st.code, method).toBe(grpc.status.INVALID_ARGUMENT);
      expect(st.details, method).toMatch(/^malformed (Delta)?DiscoveryRequest: /);
    }
    // A valid first message followed by garbage: the registered session is closed again.
    srv.cache.set(KEY, snapshot());
    const st = await rawCall(srv.address, 'StreamAggregatedResources', [encodedRequest(KEY, CDS), garbage]);
    expect(st.code).toBe(grpc.status.INVALID_ARGUMENT);
    await expect.poll(() => srv.closed).toEqual([KEY]);
    await expect.poll(() => srv.ads.streamCount).toBe(0);
    await stillServes(srv);
  });

  it('answers nothing for an unknown type_url and goes on serving the known types on the same stream', async () => {
    const srv = await start();
    srv.cache.set(KEY, snapshot());
    const client = new AdsTestClient(srv.address);
    for (const s of [client.sotw(), client.delta()]) {
      s.send({ type_url: 'type.googleapis.com/no.such.Type', node: node({ id: KEY }) }).send({ type_url: LDS });
      const lds = await s.next(LDS);
      expect(s.received.map((r) => r.type_url)).toEqual([LDS]);
      expect(lds.resources).toHaveLength(1);
    }
    client.close();
  });

  it('ends a stream that keeps inventing type URLs with INVALID_ARGUMENT (per-type state is bounded)', async () => {
    const srv = await start();
    srv.cache.set(KEY, snapshot());
    const client = new AdsTestClient(srv.address);
    for (const s of [client.sotw(), client.delta()]) {
      s.send({ type_url: LDS, node: node({ id: KEY }) });
      await s.next(LDS);
      for (let i = 0; i < MAX_TYPES_PER_STREAM; i++) s.send({ type_url: `type.googleapis.com/junk.T${i}` });
      const st = await s.status();
      expect(st.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(st.details).toMatch(/too many resource types.*junk\.T/);
    }
    await expect.poll(() => srv.closed).toEqual([KEY, KEY]);
    client.close();
    await stillServes(srv);
  });

  it('a peer that disconnects while it is being registered has its session closed once registration completes', async () => {
    const srv = await start();
    let open: () => void = () => undefined;
    srv.gate = new Promise((resolve) => (open = resolve));
    const client = new AdsTestClient(srv.address);
    const s = client.sotw();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    await expect.poll(() => srv.opened).toEqual([KEY]);
    s.cancel();
    await expect.poll(() => srv.ads.streamCount).toBe(1);
    open();
    await expect.poll(() => srv.closed).toEqual([KEY]);
    await expect.poll(() => srv.ads.streamCount).toBe(0);
    srv.gate = undefined;
    await stillServes(srv);
    client.close();
  });

  it('peers that vanish mid-stream (cancel, half-close, dropped connection) leave no session behind', async () => {
    const srv = await start();
    srv.cache.set(KEY, snapshot());
    const client = new AdsTestClient(srv.address);
    const streams = [client.sotw(), client.sotw()];
    for (const s of streams) s.send({ type_url: CDS, node: node({ id: KEY }) }).send({ type_url: LDS });
    await Promise.all(streams.map((s) => s.next(LDS)));
    streams[0]?.cancel();
    streams[1]?.close();
    // A peer whose TCP connection drops while the stream is open (no RST_STREAM, no END_STREAM).
    const session = http2Connect(`http://${srv.address}`);
    session.on('error', () => undefined);
    const req = session.request({ ':method': 'POST', ':path': `/${ADS_SERVICE}/StreamAggregatedResources`, 'content-type': 'application/grpc', te: 'trailers' });
    req.on('error', () => undefined);
    const firstData = new Promise((resolve) => req.once('data', resolve));
    req.write(grpcFrame(encodedRequest(KEY, CDS)));
    await firstData;
    session.destroy();
    await expect.poll(() => srv.closed.length).toBe(3);
    await expect.poll(() => srv.ads.streamCount).toBe(0);
    client.close();
    await stillServes(srv);
  });
});
