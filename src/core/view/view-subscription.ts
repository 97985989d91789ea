import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { ResourceTypeName } from '../resources/model.js';
import type { StoreEvent } from '../store/resource-store.js';

/**
 * A consumer of store changes. It gets the changes in commit order, never during a write: a batch holds
 * everything that happened since its previous call returned (or its promise settled), so a slow consumer
 * sees fewer, larger batches and never holds up a write or another consumer.
 */
export type ViewHandler = (events: readonly StoreEvent[]) => void | Promise<void>;

/** One consumer's queue. Created by `StoreView.watch`; `close()` stops delivery. */
export class ViewSubscription {
  private queue: StoreEvent[] = [];
  private scheduled = false;
  private running = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly name: string,
    private readonly types: ReadonlySet<ResourceTypeName> | undefined,
    private readonly handler: ViewHandler,
    private readonly log: Logger,
    private readonly onClose: (sub: ViewSubscription) => void,
  ) {}

  /** Queues the events of the watched types and schedules their delivery (never delivers synchronously). */
  push(events: readonly StoreEvent[]): void {
    if (this.closed) return;
    const mine = this.types ? events.filter((e) => this.types?.has(e.type)) : events;
    if (mine.length === 0) return;
    for (const e of mine) this.queue.push(e);
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.deliver();
    });
  }

  /**
   * Delivers what is queued now, in the caller's turn, when no delivery is in flight. For a consumer that
   * must act on the latest state before answering (the xDS reconciler when a proxy connects right after
   * its Dataplane was written).
   */
  deliver(): void {
    while (!this.running && !this.closed && this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      let result: void | Promise<void>;
      try {
        result = this.handler(batch);
      } catch (err) {
        this.failed(err);
        continue;
      }
      if (result instanceof Promise) {
        this.running = true;
        void result
          .catch((err: unknown) => this.failed(err))
          .finally(() => {
            this.running = false;
            this.deliver();
          });
        return;
      }
    }
    if (!this.running && (this.closed || this.queue.length === 0)) this.wakeIdle();
  }

  /** Resolves once everything queued so far (and since) has been handled. */
  idle(): Promise<void> {
    if (!this.running && !this.scheduled && (this.closed || this.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.onClose(this);
    if (!this.running) this.wakeIdle();
  }

  private failed(err: unknown): void {
    this.log.error({ consumer: this.name, err: errorMessage(err) }, 'store view consumer failed on a change; it goes on with the next');
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
