import type { KdsStream } from './kds-stream.js';
import type { KdsMessage } from './kds-proto.js';

/**
 * The write side of a KDS stream: messages are queued without blocking the caller and written in order,
 * pausing whenever the stream's buffer is full until it drains. Reading never waits for this.
 */
export class Outbox {
  private readonly queue: KdsMessage[] = [];
  private pumping = false;
  private closed = false;

  constructor(
    private readonly stream: KdsStream,
    private readonly onError: (err: unknown) => void,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(msg: KdsMessage): void {
    if (this.closed) return;
    this.queue.push(msg);
    if (!this.pumping) void this.pump();
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (!this.closed && this.queue.length > 0) {
        const msg = this.queue.shift() as KdsMessage;
        if (!this.stream.write(msg)) await this.drained();
      }
    } catch (err) {
      this.onError(err);
    } finally {
      this.pumping = false;
    }
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }
}
