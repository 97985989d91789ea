import { Metadata, Server, status, type ServerDuplexStream } from '@grpc/grpc-js';
import { serveGrpc } from '../../grpc/transport.js';
import { errorMessage, PreconditionFailedError, ShuttingDownError, SupersededError } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { Component } from '../../core/runtime/component.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { ExportIndex } from '../export-index.js';
import { kdsChannelOptions } from '../grpc-options.js';
import { CLIENT_ID_METADATA, CP_VERSION_METADATA, effectiveMaxMsgSize, kdsServiceDefinition, MAX_MSG_SIZE_METADATA, type KdsMessage, type ReceivedMessage } from '../kds-proto.js';
import { KdsSession } from '../session.js';
import { Sink } from '../sink.js';
import { zoneScopeOnGlobal } from '../sync-scope.js';
import { globalToZoneTypes, zoneToGlobalTypes } from '../synced-types.js';
import { ConnectedZones } from './connected-zones.js';
import { exportsForZone } from './exports-for-zone.js';
import { admitZone, checkZoneName, isDisabled } from './zone-admission.js';
import { zoneInsightKind, ZoneSubscription } from './zone-insights.js';
import { InsightTracker } from '../../core/insights/insight-tracker.js';
import type { KdsSubscription } from '../../core/resources/specs.js';
import { aliveInstances } from '../../core/runtime/instance-registry.js';
import { authenticateZoneStream, ZONE_TOKEN_METADATA } from './zone-auth.js';
import { untilAborted } from '../../core/runtime/abort.js';
import { toGrpcStatus, type GrpcError } from '../../grpc/status-mapping.js';
import { countingNacks, createKdsMetrics } from '../kds-metrics.js';

export interface KdsServerOptions {
  /** How often changed ZoneInsight counters are written. */
  readonly insightFlushMs?: number;
  /** Called with the bound port (in-process tests bind port 0). */
  readonly onListening?: (port: number) => void;
}

type KdsCall = ServerDuplexStream<ReceivedMessage, KdsMessage>;

/** The global's KDS server: accepts one stream per zone on `multizone.global.kds.grpcPort`. */
export function kdsServerComponent(rt: Runtime, options: KdsServerOptions = {}): Component {
  return {
    name: 'kds-server',
    async start(signal, ready) {
      const log = rt.logger('kds-server');
      const { grpcPort, maxMsgSize } = rt.config.multizone.global.kds;
      // Registered at start: /metrics shows kds_zone_active_connections 0 before the first zone connects.
      rt.metrics.of(createKdsMetrics);
      // Dataplanes: which meshes each zone has proxies in decides which Secrets it gets.
      const index = new ExportIndex(rt.view, [...globalToZoneTypes(), 'Zone', 'Dataplane'], 'globalToZone');
      await index.start();
      const insights = new InsightTracker(zoneInsightKind, rt.manager, log);
      await insights.closeStale(rt.view, await aliveInstances(rt));
      const handler = new StreamHandler(rt, log, index, insights, new ConnectedZones(rt.instanceId), maxMsgSize);
      const server = new Server(kdsChannelOptions(maxMsgSize));
      server.addService(kdsServiceDefinition, {
        sync: (call: KdsCall) =>
          void handler.handle(call).catch((err: unknown) => {
            log.error({ peer: call.getPeer(), err: errorMessage(err) }, 'KDS stream failed');
            fail(call, toGrpcStatus(err));
          }),
      });
      const kds = rt.config.multizone.global.kds;
      let serving;
      try {
        serving = await serveGrpc(server, { name: 'kds-server', host: kds.interface, port: grpcPort, log, ...(rt.tls ? { tls: rt.tls } : {}), plaintext: kds.plaintextEnabled, limits: rt.connections });
      } catch (err) {
        index.stop();
        throw err;
      }
      const port = serving.port;
      options.onListening?.(port);
      const flushing = insights.run(signal, options.insightFlushMs ?? 1000);
      ready();
      await untilAborted(signal);
      await handler.closeAll();
      await serving.close();
      await flushing;
      await insights.flush();
      index.stop();
    },
  };
}

function fail(call: KdsCall, refusal: GrpcError): void {
  call.emit('error', Object.assign(new Error(refusal.details), refusal));
}

/** Admission, bookkeeping and one KdsSession per zone stream. */
class StreamHandler {
  private readonly sessions = new Set<{ session: KdsSession; done: Promise<void> }>();

  constructor(
    private readonly rt: Runtime,
    private readonly log: Logger,
    private readonly index: ExportIndex,
    private readonly insights: InsightTracker<KdsSubscription>,
    private readonly zones: ConnectedZones,
    private readonly maxMsgSize: number,
  ) {}

  async handle(call: KdsCall): Promise<void> {
    const peer = call.getPeer();
    let zone: string | undefined;
    let release: (() => void) | undefined;
    /** Why this zone's stream must end (disabled, deleted, replaced), once it must. */
    let ended: Error | undefined;
    const live: { session?: KdsSession } = {};
    const end = (why: Error): void => {
      ended = why;
      live.session?.close({ error: why });
    };
    const watch = this.rt.view.watch(
      'kds-zone-state',
      (events) => {
        for (const e of events) {
          if (e.type !== 'Zone' || e.resource.meta.name !== zone) continue;
          if (e.op === 'delete' || isDisabled(e.resource.spec)) end(new PreconditionFailedError(e.op === 'delete' ? `zone ${zone} was deleted` : `zone ${zone} is disabled`));
        }
      },
      { types: ['Zone'] },
    );
    const unwatch = (): void => watch.close();
    try {
      zone = checkZoneName(metadataValue(call, CLIENT_ID_METADATA));
      const authType = this.rt.config.multizone.global.kds.auth.type;
      await authenticateZoneStream(this.rt.manager, authType, zone, metadataValues(call, ZONE_TOKEN_METADATA));
      // An authenticated zone that reconnects replaces its stale stream; unauthenticated (dev) streams keep first-come.
      release = this.zones.claim(zone, peer, authType === 'zoneToken' ? (reason) => end(new SupersededError(reason)) : undefined);
      await admitZone(this.rt.manager, zone);
      if (ended) throw ended;
    } catch (err) {
      unwatch();
      release?.();
      const refusal = toGrpcStatus(err);
      this.log.info({ zone, peer, code: status[refusal.code], reason: refusal.details }, 'refused KDS stream');
      fail(call, refusal);
      return;
    }
    const subscription = new ZoneSubscription(this.rt.instanceId, metadataValue(call, CP_VERSION_METADATA) ?? '');
    await this.insights.connect({ name: zone, mesh: '' }, subscription);
    const zoneLog = this.log.child({ zone });
    const metrics = this.rt.metrics.of(createKdsMetrics);
    // Never send the zone more than it accepts; tell it what we accept.
    const maxMsgBytes = effectiveMaxMsgSize(this.maxMsgSize, metadataValue(call, MAX_MSG_SIZE_METADATA));
    const headers = new Metadata();
    headers.set(MAX_MSG_SIZE_METADATA, String(this.maxMsgSize));
    call.sendMetadata(headers);
    const session = new KdsSession({
      stream: call,
      log: zoneLog,
      index: this.index,
      exports: exportsForZone(this.index, zone),
      alsoAffects: { Zone: ['ZoneIngress'], Dataplane: ['Secret'], Mesh: ['Secret'] },
      consumes: zoneToGlobalTypes(),
      sink: new Sink(this.rt.manager, zoneScopeOnGlobal(this.rt.store, zone), new Set(zoneToGlobalTypes()), zoneLog, countingNacks(metrics, 'sent', (t, k) => subscription.stat(t, k))),
      maxMsgBytes,
      onStat: countingNacks(metrics, 'received', (t, k) => subscription.stat(t, k)),
    });
    live.session = session;
    if (ended) session.close({ error: ended });
    let markDone: () => void = () => undefined;
    const entry = { session, done: new Promise<void>((r) => (markDone = r)) };
    this.sessions.add(entry);
    this.log.info({ zone, peer }, 'zone connected');
    if (call.cancelled) session.close({ cause: 'cancelled by the zone' });
    call.on('cancelled', () => session.close({ cause: 'cancelled by the zone' }));
    metrics.zoneConnections.inc();
    const result = await session.run().finally(() => metrics.zoneConnections.dec());
    unwatch();
    release();
    await this.insights.disconnect(subscription);
    this.log.info({ zone, peer, reason: result.error?.message ?? result.cause }, 'zone disconnected');
    if (result.error) fail(call, toGrpcStatus(result.error));
    else if (!call.cancelled) call.end();
    this.sessions.delete(entry);
    markDone();
  }

  async closeAll(): Promise<void> {
    const all = [...this.sessions];
    for (const s of all) s.session.close({ error: new ShuttingDownError('global control plane is shutting down') });
    await Promise.all(all.map((s) => s.done));
  }
}

function metadataValues(call: KdsCall, key: string): string[] {
  return call.metadata.get(key).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

function metadataValue(call: KdsCall, key: string): string | undefined {
  const v = call.metadata.get(key)[0];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}
