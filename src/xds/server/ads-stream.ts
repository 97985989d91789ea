import { status } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import { BadRequestError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { Node } from '../../grpc/discovery-service.js';
import { toGrpcStatus, type GrpcError } from '../../grpc/status-mapping.js';
import type { SnapshotCache } from '../cache/snapshot-cache.js';
import type { StreamStats } from '../insights/subscription-stats.js';
import { nodeInfo, type NodeInfo, type ProxyIdentity, type ProxyKind } from './node-identity.js';
import type { Protocol, ProtocolContext } from './protocol.js';
import type { SendLimiter } from './send-limiter.js';
import type { XdsMetrics } from '../xds-metrics.js';
import type { EmptyClaMemo } from './empty-cla.js';
import type { NameSets } from './name-sets.js';
import { undecodableReason } from '../../grpc/undecodable.js';
import { clip } from '../../core/clip.js';

/** A connected proxy as the rest of the CP sees it; `close` runs once when the stream ends. */
export interface StreamSession {
  readonly identity: ProxyIdentity;
  readonly stats: StreamStats;
  close(): Promise<void>;
}

export interface AdsStreamDeps {
  readonly cache: SnapshotCache;
  readonly limiter: SendLimiter;
  readonly nackBackoffMs: number;
  readonly controlPlaneId: string;
  readonly log: Logger;
  /** The control plane's xDS metrics (`xds_streams_active`). */
  readonly metrics: XdsMetrics;
  /** Shared by the dp-server's streams. */
  readonly emptyCla: EmptyClaMemo;
  /** Subscription name sets shared by the dp-server's streams. */
  readonly nameSets?: NameSets;
  /** Validates the node and registers the proxy; a rejection ends the stream with the mapped status. */
  connect(node: NodeInfo): Promise<StreamSession>;
}

const MAX_PENDING_REQUESTS = 256;

/**
 * One ADS stream (SotW or delta): reads never wait for writes. Requests update the protocol state and
 * schedule the pump; the pump writes one response at a time (waiting for each write to be flushed, so a
 * slow reader holds back only its own stream), building each response from the latest state so nothing
 * stale is sent.
 */
export class AdsStream<Req extends { node?: Node | null; type_url?: string }, Res> {
  private session: StreamSession | undefined;
  private protocol: Protocol<Req, Res> | undefined;
  private connecting = false;
  private connected: Promise<StreamSession | undefined> = Promise.resolve(undefined);
  private pending: Req[] = [];
  private closed = false;
  private pumping = false;
  private unwatch: (() => void) | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeWriter: (() => void) | undefined;
  /** The kind counted in `xds_streams_active` while this stream serves a registered proxy. */
  private countedKind: ProxyKind | undefined;
  private closeDone: Promise<void> | undefined;

  constructor(
    private readonly call: grpc.ServerDuplexStream<Req, Res>,
    private readonly deps: AdsStreamDeps,
    private readonly makeProtocol: (ctx: ProtocolContext) => Protocol<Req, Res>,
    readonly flavour: 'sotw' | 'delta',
    private readonly onFinished: () => void = () => undefined,
  ) {}

  start(): void {
    this.call.on('data', (req: Req) => this.onRequest(req));
    this.call.on('end', () => {
      this.call.end();
      void this.finish('client closed the stream');
    });
    this.call.on('cancelled', () => void this.finish('stream cancelled'));
    this.call.on('error', (err: unknown) => void this.finish(`stream error: ${errorMessage(err)}`));
    this.call.on('close', () => void this.finish('stream closed'));
  }

  /** Ends the stream with a status (CP shutdown) and waits for the session cleanup. */
  stop(err: GrpcError): Promise<void> {
    if (!this.closed) this.endWith(err);
    return this.finish(err.details);
  }

  private onRequest(req: Req): void {
    if (this.closed) return;
    try {
      const undecodable = undecodableReason(req);
      if (undecodable !== undefined) throw new BadRequestError(`malformed ${this.flavour === 'delta' ? 'DeltaDiscoveryRequest' : 'DiscoveryRequest'}: ${undecodable}`);
      if (this.protocol && this.session) {
        const id = req.node?.id;
        if (id && id !== this.session.identity.key) throw new BadRequestError(`node id changed within the stream from "${this.session.identity.key}" to "${clip(id)}"`);
        this.protocol.handle(req);
        this.schedule();
        return;
      }
      if (this.pending.length >= MAX_PENDING_REQUESTS) throw new BadRequestError('too many requests before the node was registered');
      this.pending.push(req);
      if (!this.connecting) {
        this.connecting = true;
        this.connect(nodeInfo(req.node, this.call.metadata));
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private connect(info: NodeInfo): void {
    this.connected = this.deps.connect(info).then(
      (session) => {
        this.session = session;
        if (!this.closed) this.begin(info, session);
        return session;
      },
      (err: unknown) => {
        this.fail(err);
        return undefined;
      },
    );
  }

  private begin(info: NodeInfo, session: StreamSession): void {
    const protocol = this.makeProtocol({
      proxy: info.key,
      controlPlaneId: this.deps.controlPlaneId,
      nackBackoffMs: this.deps.nackBackoffMs,
      stats: session.stats,
      log: this.deps.log,
      now: Date.now,
      emptyCla: this.deps.emptyCla,
      ...(this.deps.nameSets ? { nameSets: this.deps.nameSets } : {}),
    });
    try {
      for (const req of this.pending) protocol.handle(req);
    } catch (err) {
      this.fail(err);
      return;
    }
    this.pending = [];
    this.protocol = protocol;
    this.unwatch = this.deps.cache.watch(info.key, () => this.schedule());
    this.deps.log.info({ proxy: info.key, mesh: info.mesh, kind: info.kind, protocol: this.flavour }, 'proxy connected');
    this.countedKind = info.kind;
    this.deps.metrics.streamsActive.inc({ kind: info.kind });
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.pumping || !this.protocol) return;
    this.pumping = true;
    void this.pump().finally(() => (this.pumping = false));
  }

  private async pump(): Promise<void> {
    const key = this.session?.identity.key ?? '';
    try {
      while (!this.closed && this.protocol) {
        if (!this.deps.cache.get(key)) return;
        const release = await this.deps.limiter.acquire(key);
        try {
          const snapshot = this.deps.cache.get(key);
          if (this.closed || !snapshot) return;
          const step = this.protocol.next(snapshot);
          if (step.kind === 'idle') {
            this.retryAt(step.retryAt);
            return;
          }
          await this.write(step.response);
        } finally {
          release();
        }
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private retryAt(at: number | undefined): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (at === undefined || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule();
    }, Math.max(0, at - Date.now()));
  }

  private write(response: Res): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wakeWriter = undefined;
        resolve();
      };
      this.wakeWriter = done;
      this.call.write(response, () => done());
    });
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    const st = toGrpcStatus(err);
    const proxy = this.session?.identity.key;
    if (st.code === status.INTERNAL) this.deps.log.error({ proxy, err: st.details }, 'ADS stream failed');
    else this.deps.log.info({ proxy, code: status[st.code], reason: st.details }, 'ADS stream rejected');
    this.endWith(st);
    void this.finish(st.details);
  }

  private endWith(st: GrpcError): void {
    try {
      this.call.emit('error', { code: st.code, details: st.details, metadata: undefined });
    } catch {
      // the call is already gone
    }
  }

  private finish(reason: string): Promise<void> {
    if (!this.closeDone) {
      this.closed = true;
      this.unwatch?.();
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.wakeWriter?.();
      // A session still being set up is closed as soon as it exists.
      this.closeDone = this.connected.then((session) => (session ? this.closeSession(session, reason) : undefined)).finally(this.onFinished);
    }
    return this.closeDone;
  }

  private async closeSession(session: StreamSession, reason: string): Promise<void> {
    this.deps.log.info({ proxy: session.identity.key, mesh: session.identity.mesh, reason }, 'proxy disconnected');
    if (this.countedKind) this.deps.metrics.streamsActive.dec({ kind: this.countedKind });
    this.countedKind = undefined;
    try {
      await session.close();
    } catch (err) {
      this.deps.log.warn({ proxy: session.identity.key, err: errorMessage(err) }, 'cleanup after disconnect failed');
    }
  }
}
