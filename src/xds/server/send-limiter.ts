export type Release = () => void;

/**
 * Bounds how many ADS responses are being written at once across all streams, so that a large change
 * fanned out to thousands of proxies does not buffer every copy at the same time. A permit is returned
 * when the write completes, or after `holdLimitMs` so one stuck client cannot starve the others (its own
 * stream still waits for its write before sending more).
 */
export class SendLimiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly holdLimitMs = 1000,
  ) {}

  async acquire(): Promise<Release> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.active++;
    let released = false;
    const timer = setTimeout(() => release(), this.holdLimitMs);
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
}
