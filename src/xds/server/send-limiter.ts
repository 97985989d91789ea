export type Release = () => void;

/** Called once for a permit held past the stuck limit: who held it and for how long. */
export type OnStuck = (holder: string, heldMs: number) => void;

/**
 * Bounds how many ADS responses are being written at once across all streams, so that a large change
 * fanned out to thousands of proxies does not buffer every copy at the same time (DESIGN §3: a 1 MB config
 * queued for 2,000 streams at once is 2 GB of buffers). A permit is returned when its write has drained
 * (the stream's write callback), so a slow reader holds its permit and the fan-out slows down with it
 * instead of queueing more bytes. Only a write still pending after `stuckAfterMs` gives its permit back
 * (reported through `onStuck`): one stuck client cannot starve the others, and its own stream still waits
 * for that write before sending more, so it never holds more than one response.
 */
export class SendLimiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly stuckAfterMs = 30_000,
    private readonly onStuck: OnStuck = () => undefined,
  ) {}

  /** `holder` names the stream in the stuck report. */
  async acquire(holder = ''): Promise<Release> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.active++;
    let released = false;
    const since = Date.now();
    const timer = setTimeout(() => {
      this.onStuck(holder, Date.now() - since);
      release();
    }, this.stuckAfterMs);
    timer.unref();
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
    return release;
  }

  get inUse(): number {
    return this.active;
  }

  /** Streams waiting for a permit. */
  get waiting(): number {
    return this.waiters.length;
  }
}
