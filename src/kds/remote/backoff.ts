/** Exponential back-off with jitter: attempt n waits a random time in [d/2, d], d = min(max, base * 2^n). */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const d = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    if (d < this.maxMs) this.attempt++;
    return Math.round(d / 2 + (d / 2) * this.random());
  }

  reset(): void {
    this.attempt = 0;
  }
}
