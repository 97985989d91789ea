import type { KdsStream } from './kds-stream.js';
import { BadRequestError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import type { ResourceTypeName } from '../core/resources/model.js';
import { ENVELOPE_BYTES } from './chunk.js';
import type { ExportIndex } from './export-index.js';
import type { ReceivedMessage, SubscribeMsg, UpdateMsg, WireVersion } from './kds-proto.js';
import type { Sink } from './sink.js';
import { TypeSender, type StatKind } from './type-sender.js';
import { Outbox } from './outbox.js';
import type { ExportedResource } from './wire-resource.js';

/** Received updates waiting to be applied before the stream is paused (the peer then waits on us). */
const MAX_QUEUED_UPDATES = 32;

export interface SessionOptions {
  readonly stream: KdsStream;
  readonly log: Logger;
  readonly index: ExportIndex;
  /** Types this side sends, in order, each with the set the peer should hold. */
  readonly exports: ReadonlyMap<ResourceTypeName, () => Iterable<ExportedResource>>;
  /** A change of the key type also changes what is exported for the listed types (e.g. Zone -> ZoneIngress). */
  readonly alsoAffects?: Partial<Record<ResourceTypeName, readonly ResourceTypeName[]>>;
  /** Types this side receives, in apply order (Mesh before what lives in meshes). */
  readonly consumes: readonly ResourceTypeName[];
  readonly sink: Sink;
  readonly maxMsgBytes: number;
  readonly onStat?: (type: ResourceTypeName, kind: StatKind) => void;
}

export interface SessionEnd {
  /** Set when this side ends the stream: a domain error, whose gRPC status grpc/status-mapping.ts decides. */
  readonly error?: Error;
  /** Set when the stream failed or the peer ended it. */
  readonly cause?: string;
}

/**
 * Both halves of KDS over one bidirectional stream: independent read and write paths, one TypeSender per
 * exported type, received updates applied one at a time in arrival order. `run` resolves when the stream
 * ends, whoever ends it; nothing here ever waits on the peer reading before reading itself.
 */
export class KdsSession {
  private readonly senders = new Map<ResourceTypeName, TypeSender>();
  private readonly outbox: Outbox;
  private readonly updates: UpdateMsg[] = [];
  private applying = false;
  private paused = false;
  private finished = false;
  private resolveEnd: ((end: SessionEnd) => void) | undefined;
  private unsubscribeIndex: (() => void) | undefined;
  private readonly ended: Promise<SessionEnd>;

  constructor(private readonly o: SessionOptions) {
    this.outbox = new Outbox(o.stream, (err) => this.finish({ cause: `write failed: ${errorMessage(err)}` }));
    this.ended = new Promise((resolve) => (this.resolveEnd = resolve));
    for (const [type, desired] of o.exports) {
      this.senders.set(
        type,
        new TypeSender({
          type,
          desired,
          send: (update) => this.outbox.push({ update }),
          maxMsgBytes: o.maxMsgBytes,
          log: o.log,
          ...(o.onStat ? { onStat: o.onStat } : {}),
        }),
      );
    }
  }

  /** Starts both directions; resolves once the stream is over. */
  run(): Promise<SessionEnd> {
    if (this.finished) return this.ended;
    const { stream } = this.o;
    this.unsubscribeIndex = this.o.index.onChange((types) => {
      for (const t of types) {
        this.senders.get(t)?.schedule();
        for (const dep of this.o.alsoAffects?.[t] ?? []) this.senders.get(dep)?.schedule();
      }
    });
    stream.on('data', (msg: ReceivedMessage) => this.receive(msg));
    stream.on('end', () => this.finish({ cause: 'peer closed the stream' }));
    stream.on('error', (err: Error) => this.finish({ cause: errorMessage(err) }));
    stream.on('close', () => this.finish({ cause: 'stream closed' }));
    void this.subscribeAll();
    return this.ended;
  }

  /** Ends the session from this side (stop, zone disabled...). */
  close(end: SessionEnd): void {
    this.finish(end);
  }

  private receive(msg: ReceivedMessage): void {
    if (this.finished) return;
    if ('malformed' in msg) {
      this.finish({ error: new BadRequestError(`malformed KDS message: ${msg.malformed}`) });
    } else if ('subscribe' in msg) {
      const sender = this.senders.get(msg.subscribe.type as ResourceTypeName);
      if (!sender) {
        this.finish({ error: new BadRequestError(`subscription to resource type "${msg.subscribe.type}" which this side does not send`) });
        return;
      }
      sender.subscribe(msg.subscribe);
    } else if ('ack' in msg) {
      this.senders.get(msg.ack.type as ResourceTypeName)?.ack(msg.ack);
    } else {
      this.updates.push(msg.update);
      if (this.updates.length >= MAX_QUEUED_UPDATES && !this.paused) {
        this.paused = true;
        this.o.stream.pause();
      }
      if (!this.applying) void this.applyQueued();
    }
  }

  private async applyQueued(): Promise<void> {
    this.applying = true;
    try {
      while (!this.finished && this.updates.length > 0) {
        const update = this.updates.shift() as UpdateMsg;
        const result = await this.o.sink.apply(update);
        if (this.finished) return;
        this.outbox.push({ ack: { type: update.type, nonce: update.nonce, ...(result.ok ? {} : { error: { message: result.error } }) } });
        if (this.paused && this.updates.length < MAX_QUEUED_UPDATES / 2) {
          this.paused = false;
          this.o.stream.resume();
        }
      }
    } catch (err) {
      this.finish({ error: new Error(`applying an update failed: ${errorMessage(err)}`, { cause: err }) });
    } finally {
      this.applying = false;
    }
  }

  private async subscribeAll(): Promise<void> {
    try {
      for (const type of this.o.consumes) {
        if (this.finished) return;
        const held = await this.o.sink.held(type);
        for (const msg of subscribeMessages(type, held, this.o.maxMsgBytes)) this.outbox.push({ subscribe: msg });
      }
    } catch (err) {
      this.finish({ error: new Error(`listing local resources failed: ${errorMessage(err)}`, { cause: err }) });
    }
  }

  private finish(end: SessionEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.unsubscribeIndex?.();
    for (const s of this.senders.values()) s.close();
    this.outbox.close();
    this.updates.length = 0;
    if (this.paused) this.o.stream.resume();
    this.resolveEnd?.(end);
  }
}

/** A type's held list, split so each Subscribe stays below the size limit. */
export function subscribeMessages(type: string, held: readonly WireVersion[], maxBytes: number): SubscribeMsg[] {
  const budget = maxBytes - ENVELOPE_BYTES;
  const out: SubscribeMsg[] = [];
  let current: WireVersion[] = [];
  let used = 0;
  for (const v of held) {
    const cost = Buffer.byteLength(v.name) + Buffer.byteLength(v.mesh) + Buffer.byteLength(v.version) + 16;
    if (used + cost > budget && current.length > 0) {
      out.push({ type, initial: current, more: true });
      current = [];
      used = 0;
    }
    current.push(v);
    used += cost;
  }
  out.push({ type, initial: current, more: false });
  return out;
}
