import { Client, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { Logger } from '../../core/logging.js';
import type { ResourceTypeName } from '../../core/resources/model.js';
import type { Component } from '../../core/runtime/component.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { backoffDelay, sleep, type BackoffPolicy } from '../../core/runtime/supervisor.js';
import { ExportIndex } from '../export-index.js';
import { kdsChannelOptions } from '../grpc-options.js';
import {
  CLIENT_ID_METADATA,
  CP_VERSION_METADATA,
  decodeReceived,
  effectiveMaxMsgSize,
  encodeMessage,
  KDS_SYNC_PATH,
  MAX_MSG_SIZE_METADATA,
  type KdsMessage,
  type ReceivedMessage,
} from '../kds-proto.js';
import { ORIGIN_LABEL } from '../labels.js';
import { KdsSession, type SessionEnd } from '../session.js';
import { Sink } from '../sink.js';
import { countingNacks, createKdsMetrics } from '../kds-metrics.js';
import { globalScopeOnZone } from '../sync-scope.js';
import { globalToZoneTypes, zoneToGlobalTypes } from '../synced-types.js';
import type { ExportedResource } from '../wire-resource.js';
import { ZONE_TOKEN_METADATA } from '../global/zone-auth.js';
import { withTcpKeepalive } from '../../grpc/keepalive.js';
import { toGrpcStatus } from '../../grpc/status-mapping.js';
import { parseGlobalAddress } from './global-address.js';
import { kdsChannelCredentials } from './kds-credentials.js';
import { zoneToken } from './zone-token-source.js';

export interface KdsClientOptions {
  /** Reconnect back-off: first delay ~base, doubling up to max, with jitter. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Sent to the global in `kuma-cp-version` metadata (shown in ZoneInsight). */
  readonly version?: string;
}

/**
 * The zone's KDS client: keeps one stream to the global open, reconnecting with back-off and jitter. While
 * disconnected the zone keeps serving from its local store; on reconnect only differences travel.
 */
export function kdsClientComponent(rt: Runtime, options: KdsClientOptions = {}): Component {
  return {
    name: 'kds-client',
    leaderOnly: true,
    async start(signal, ready) {
      const { zone, globalAddress } = rt.config.multizone.remote;
      const address = parseGlobalAddress(globalAddress);
      const log = rt.logger('kds-client').child({ zone, globalAddress });
      const maxMsgSize = rt.config.multizone.global.kds.maxMsgSize;
      rt.metrics.of(createKdsMetrics); // registered at start, as on the global
      const index = new ExportIndex(rt.view, zoneToGlobalTypes(), 'zoneToGlobal');
      await index.start();
      const client = new Client(address.target, withTcpKeepalive(kdsChannelCredentials(address, rt.config.multizone.remote)), kdsChannelOptions(maxMsgSize));
      ready();
      const policy: BackoffPolicy = { baseMs: options.backoffBaseMs ?? 100, maxMs: options.backoffMaxMs ?? 10_000 };
      let attempt = 0;
      try {
        while (!signal.aborted) {
          const { established, end } = await connectOnce(rt, client, index, zone, log, maxMsgSize, options.version ?? '', signal);
          if (signal.aborted) break;
          if (established) attempt = 0;
          const delay = Math.round(backoffDelay(policy, attempt++));
          const reason = end.error?.message ?? end.cause;
          if (established) log.info({ reason, retryInMs: delay }, 'disconnected from global');
          else log.warn({ reason, retryInMs: delay }, 'could not connect to global');
          await sleep(delay, signal);
        }
      } finally {
        client.close();
        index.stop();
      }
    },
  };
}

function zoneExports(index: ExportIndex): Map<ResourceTypeName, () => Iterable<ExportedResource>> {
  const out = new Map<ResourceTypeName, () => Iterable<ExportedResource>>();
  // Never export back what came from the global (other zones' ingresses).
  for (const type of zoneToGlobalTypes()) out.set(type, () => local(index.get(type).values()));
  return out;
}

function* local(all: Iterable<ExportedResource>): Iterable<ExportedResource> {
  for (const r of all) if (r.resource.meta.labels?.[ORIGIN_LABEL] === undefined) yield r;
}

async function connectOnce(
  rt: Runtime,
  client: Client,
  index: ExportIndex,
  zone: string,
  log: Logger,
  maxMsgSize: number,
  version: string,
  signal: AbortSignal,
): Promise<{ established: boolean; end: SessionEnd }> {
  const md = new Metadata();
  md.set(CLIENT_ID_METADATA, zone);
  const token = await zoneToken(rt.config.multizone.remote.kds.auth);
  if (token) md.set(ZONE_TOKEN_METADATA, token);
  md.set(MAX_MSG_SIZE_METADATA, String(maxMsgSize));
  if (version) md.set(CP_VERSION_METADATA, version);
  const call: ClientDuplexStream<KdsMessage, ReceivedMessage> = client.makeBidiStreamRequest(KDS_SYNC_PATH, encodeMessage, decodeReceived, md, {});
  let refusal: ServiceError | undefined;
  let over = false;
  call.on('error', (err: ServiceError) => {
    refusal = err;
    over = true;
  });
  call.on('status', () => (over = true));
  // The global sends its headers (with the largest message it accepts) once it has admitted the stream.
  const headers = await globalHeaders(call, signal);
  if (!headers || over || signal.aborted) {
    call.cancel();
    const cause = refusal ? `${status[refusal.code] ?? refusal.code}: ${refusal.details}` : signal.aborted ? 'stopping' : 'the global ended the stream';
    return { established: false, end: { cause } };
  }
  const sendMax = effectiveMaxMsgSize(maxMsgSize, headers.get(MAX_MSG_SIZE_METADATA)[0]);
  const nackMetrics = rt.metrics.of(createKdsMetrics);
  const session = new KdsSession({
    stream: call,
    log,
    index,
    exports: zoneExports(index),
    consumes: globalToZoneTypes(),
    sink: new Sink(rt.manager, globalScopeOnZone(rt.store, zone), new Set(globalToZoneTypes()), log, countingNacks(nackMetrics, 'sent')),
    maxMsgBytes: sendMax,
    onStat: countingNacks(nackMetrics, 'received'),
  });
  let established = false;
  call.once('data', () => {
    established = true;
    log.info('connected to global');
  });
  const onAbort = (): void => session.close({ cause: 'stopping' });
  signal.addEventListener('abort', onAbort, { once: true });
  const end = await session.run();
  signal.removeEventListener('abort', onAbort);
  if (end.error) log.error({ code: status[toGrpcStatus(end.error).code], reason: end.error.message }, 'ending KDS stream');
  call.cancel();
  // The global's status (refusal or reason for ending the stream) says more than the local view of it.
  if (refusal) return { established, end: { cause: `${status[refusal.code] ?? refusal.code}: ${refusal.details}` } };
  return { established, end };
}

/** The global's response headers, or undefined if the stream ends (refusal) or we stop first. */
function globalHeaders(call: ClientDuplexStream<KdsMessage, ReceivedMessage>, signal: AbortSignal): Promise<Metadata | undefined> {
  return new Promise((resolve) => {
    const done = (m: Metadata | undefined): void => {
      call.off('metadata', onMetadata);
      call.off('status', onEnd);
      call.off('error', onEnd);
      signal.removeEventListener('abort', onEnd);
      resolve(m);
    };
    const onMetadata = (m: Metadata): void => done(m);
    const onEnd = (): void => done(undefined);
    call.on('metadata', onMetadata);
    call.on('status', onEnd);
    call.on('error', onEnd);
    signal.addEventListener('abort', onEnd, { once: true });
  });
}
