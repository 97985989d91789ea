import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { DiscoverySubscription } from '../../core/resources/specs.js';
import type { Component } from '../../core/runtime/component.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import type { JsonValue } from '../../grpc/struct.js';
import { SnapshotCache } from '../cache/snapshot-cache.js';
import { parseDuration } from '../envoy/duration.js';
import * as generator from '../generator/index.js';
import { InsightTracker } from '../../core/insights/insight-tracker.js';
import { dataplaneInsightKind } from '../insights/insight-writer.js';
import { closeStaleSubscriptions } from '../insights/stale-subscriptions.js';
import { aliveInstances } from '../../core/runtime/instance-registry.js';
import { periodicComponent } from '../../core/runtime/periodic-component.js';
import { SubscriptionStats } from '../insights/subscription-stats.js';
import { XdsStateRegistry } from '../inspect/xds-state-registry.js';
import { DataplaneLifecycle } from '../sync/dataplane-lifecycle.js';
import { removeInlineGhosts } from '../sync/inline-ghosts.js';
import { Reconciler, type Generators } from '../sync/reconciler.js';
import { AdsServer } from './ads-server.js';
import { authenticateStream } from './dp-auth.js';
import type { StreamSession } from './ads-stream.js';
import { refusingAdsHandlers } from './global-refusal.js';
import type { NodeInfo } from './node-identity.js';
import { serveAds, type AdsTransport } from './serve.js';
import { SendLimiter } from './send-limiter.js';
import { EmptyClaMemo } from './empty-cla.js';
import { NameSets } from './name-sets.js';
import { createXdsMetrics, meteredStreamStats, type XdsMetrics } from '../xds-metrics.js';
import { untilAborted } from '../../core/runtime/abort.js';

/** Responses being written at once across all ADS streams (bounds buffered copies during a fan-out). */
const MAX_CONCURRENT_WRITES = 64;
/** A response not drained by its client after this gives its write permit back (logged): one stuck client cannot stop the fan-out. */
const STUCK_WRITE_MS = 30_000;

export const realGenerators: Generators<generator.MeshSnapshot> = generator;

export interface XdsOptions {
  /** Called with the bound dp-server port (the bootstrap server needs it when the configured port is 0). */
  readonly onListening?: (port: number) => void;
  /** Where the streams record what they sent, for the API's inspect endpoints. */
  readonly state?: XdsStateRegistry;
}

/** The xDS side of a standalone or remote (zone) CP: one `dp-server` component. */
export function xdsComponents(rt: Runtime, opts: XdsOptions = {}): Component[] {
  return [dpServerComponent(rt, realGenerators, opts), staleSubscriptionSweeper(rt)];
}

/** How often the leader closes subscriptions of instances that are gone (crashed peers on a shared Postgres). */
const SWEEP_INTERVAL_MS = 10_000;

/** Leader-only: data planes connected to an instance that crashed show offline on every instance. */
function staleSubscriptionSweeper(rt: Runtime): Component {
  const log = rt.logger('dp-subscription-sweeper');
  return periodicComponent('dp-subscription-sweeper', SWEEP_INTERVAL_MS, async () => {
    await rt.view.start();
    await closeStaleSubscriptions(rt.view, rt.manager, await aliveInstances(rt), log);
  }, { leaderOnly: true, log });
}

export function durationMs(text: string): number {
  const d = parseDuration(text);
  if (!d) throw new Error(`invalid duration "${text}"`);
  return d.seconds * 1000 + (d.nanos ?? 0) / 1e6;
}

function versionOf(metadata: Record<string, JsonValue>): DiscoverySubscription['version'] {
  const v = metadata['version'];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const pick = (x: JsonValue | undefined): Record<string, string> | undefined =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).map(([k, val]) => [k, typeof val === 'string' ? val : JSON.stringify(val)])) : undefined;
  const out: NonNullable<DiscoverySubscription['version']> = {};
  const kumaDp = pick(v['kumaDp']);
  const envoy = pick(v['envoy']);
  if (kumaDp) out.kumaDp = kumaDp;
  if (envoy) out.envoy = envoy;
  return out;
}

/** The dp-server port: TLS with the CP certificate, plaintext too unless dpServer.plaintextEnabled is false; within the connection limits. */
function adsTransport(rt: Runtime): AdsTransport {
  return { ...(rt.tls ? { tls: rt.tls } : {}), plaintext: rt.config.dpServer.plaintextEnabled, limits: rt.connections };
}

/** A bound dp-server: its port, and a promise that settles once it has stopped after the abort. */
export interface RunningServer {
  readonly port: number;
  readonly stopped: Promise<void>;
}

/**
 * ADS on the dp-server port with everything behind it: registration of data planes, the reconciler that
 * turns store changes into per-proxy snapshots, and insight flushing. Resolves once bound.
 */
export async function runDpServer<S>(rt: Runtime, generators: Generators<S>, signal: AbortSignal, state: XdsStateRegistry = new XdsStateRegistry()): Promise<RunningServer> {
  const log = rt.logger('dp-server');
  const { dpServer, xdsServer, mode, multizone } = rt.config;
  await rt.view.start();
  await aliveInstances(rt).then((alive) => closeStaleSubscriptions(rt.view, rt.manager, alive, log)).catch((err: unknown) =>
    log.warn({ err: errorMessage(err) }, 'closing subscriptions of a previous run failed'),
  );
  const cache = new SnapshotCache();
  const metrics = rt.metrics.of(createXdsMetrics);
  const reconciler = new Reconciler({
    view: rt.view,
    cache,
    generators,
    debounceMs: durationMs(xdsServer.debounce),
    localZone: mode === 'remote' ? multizone.remote.zone : undefined,
    log: rt.logger('xds-reconciler'),
    metrics,
    signer: rt.certificateSigner,
  });
  const insights = new InsightTracker(dataplaneInsightKind, rt.manager, rt.logger('xds-insights'));
  const lifecycle = new DataplaneLifecycle(rt, () => signal.aborted, log);
  const ads = new AdsServer({
    cache,
    limiter: new SendLimiter(MAX_CONCURRENT_WRITES, STUCK_WRITE_MS, (proxy, ms) =>
      log.warn({ proxy, ms }, 'ADS response not drained by the proxy; its write permit is returned, the stream keeps waiting for the write'),
    ),
    nackBackoffMs: durationMs(xdsServer.nackBackoff),
    controlPlaneId: rt.instanceId,
    log,
    metrics,
    emptyCla: new EmptyClaMemo(),
    nameSets: new NameSets(),
    connect: (info) => connectProxy(info, { rt, lifecycle, reconciler, insights, state, metrics, log }),
  });
  reconciler.start();
  let serving;
  try {
    serving = await serveAds(ads.handlers(), 'dp-server', dpServer.interface, dpServer.port, log, adsTransport(rt));
  } catch (err) {
    reconciler.stop();
    throw err;
  }
  const flushing = insights.run(signal, durationMs(xdsServer.dataplaneStatusFlushInterval));
  const ghosts = removeInlineGhosts(rt, lifecycle, durationMs(xdsServer.inlineDataplaneGracePeriod), signal, log).catch((err: unknown) =>
    log.warn({ err: errorMessage(err) }, 'removing ghost inline dataplanes failed'),
  );
  const stopped = (async () => {
    await untilAborted(signal);
    const closed = serving.close();
    await ads.closeAll();
    await closed;
    reconciler.stop();
    await flushing;
    await ghosts;
  })();
  return { port: serving.port, stopped };
}

export function dpServerComponent<S>(rt: Runtime, generators: Generators<S>, opts: XdsOptions = {}): Component {
  return {
    name: 'dp-server',
    async start(signal, ready) {
      const running = await runDpServer(rt, generators, signal, opts.state);
      opts.onListening?.(running.port);
      ready();
      await running.stopped;
    },
  };
}

interface ConnectDeps<S> {
  readonly rt: Runtime;
  readonly lifecycle: DataplaneLifecycle;
  readonly reconciler: Reconciler<S>;
  readonly insights: InsightTracker<DiscoverySubscription>;
  readonly state: XdsStateRegistry;
  readonly metrics: XdsMetrics;
  readonly log: Logger;
}

async function connectProxy<S>(info: NodeInfo, d: ConnectDeps<S>): Promise<StreamSession> {
  await authenticateStream(d.rt.manager, d.rt.config.dpServer.authn.dpProxy.type, info, d.rt.config.mode === 'remote' ? d.rt.config.multizone.remote.zone : '');
  const registration = await d.lifecycle.register(info);
  const stats = new SubscriptionStats(d.rt.instanceId, versionOf(info.metadata));
  const unwatchErrors = d.reconciler.watchConfigError(info.key, (error) => stats.setConfigError(error));
  d.reconciler.add(info).catch((err: unknown) => d.log.error({ proxy: info.key, err: errorMessage(err) }, 'initial configuration failed'));
  void d.insights.connect({ name: info.name, mesh: info.mesh }, stats);
  const sent = d.state.track(info, meteredStreamStats(stats, d.metrics));
  return {
    identity: info,
    stats: sent,
    close: async () => {
      d.state.untrack(info, sent);
      unwatchErrors();
      d.reconciler.remove(info);
      await d.insights.disconnect(stats);
      await d.lifecycle.unregister(info, registration);
    },
  };
}

/** On a global CP the dp-server port ends every ADS stream with FAILED_PRECONDITION and the reason. */
export async function runGlobalDpRefusal(rt: Runtime, signal: AbortSignal): Promise<RunningServer> {
  const log = rt.logger('dp-server');
  const handlers = refusingAdsHandlers((peer) => log.warn({ peer }, 'refused a data plane: this is a global control plane'));
  const serving = await serveAds(handlers, 'dp-server', rt.config.dpServer.interface, rt.config.dpServer.port, log, adsTransport(rt));
  const stopped = untilAborted(signal).then(() => serving.close());
  return { port: serving.port, stopped };
}

/** What the global mode runs on the dp port instead of xdsComponents: data planes must connect to a zone CP. */
export function globalDpRefusalComponent(rt: Runtime): Component {
  return {
    name: 'dp-server',
    async start(signal, ready) {
      const running = await runGlobalDpRefusal(rt, signal);
      ready();
      await running.stopped;
    },
  };
}
