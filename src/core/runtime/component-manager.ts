import { errorMessage } from '../errors.js';
import type { Logger } from '../logging.js';
import type { Component } from './component.js';
import type { Leadership } from './leadership.js';
import { DEFAULT_BACKOFF, StartupError, backoffDelay, sleep, supervise } from './supervisor.js';

/**
 * Starts every component under supervision. `start` resolves once all are ready and rejects with the
 * first StartupError. `stopped` resolves when every component has returned after the abort.
 *
 * Leader-only components run while this instance leads: if it leads at start they start with the others (and
 * count for readiness); otherwise they start when leadership is gained and stop when it is lost, any number of
 * times. A follower is ready without them.
 */
export class ComponentManager {
  private readonly readyNames = new Set<string>();
  private required: Component[] = [];
  private running: Promise<void>[] = [];
  private readonly components: Component[] = [];
  private leaderRun: AbortController | undefined;
  private settleStart: () => void = () => undefined;

  constructor(
    private readonly leadership: Leadership,
    private readonly log: Logger,
  ) {}

  /** Registers components; only before `start`. */
  add(components: readonly Component[]): void {
    this.components.push(...components);
  }

  names(): string[] {
    return this.components.map((c) => c.name);
  }

  get ready(): boolean {
    return this.required.length > 0 && this.required.every((c) => this.readyNames.has(c.name));
  }

  /** Names of components not ready yet (for /ready diagnostics). */
  pending(): string[] {
    return this.required.filter((c) => !this.readyNames.has(c.name)).map((c) => c.name);
  }

  start(signal: AbortSignal): Promise<void> {
    const leading = this.leadership.isLeader;
    const leaderOnly = this.components.filter((c) => c.leaderOnly);
    this.required = this.components.filter((c) => !c.leaderOnly || leading);
    const initial = leading ? new AbortController() : undefined;
    if (initial) this.leaderRun = initial;
    const unsubscribe = this.leadership.onChange((leader) => this.leadershipChanged(leader, leaderOnly, signal));
    signal.addEventListener('abort', () => {
      unsubscribe();
      this.leaderRun?.abort();
    }, { once: true });
    return new Promise<void>((resolve, reject) => {
      this.settleStart = () => {
        if (this.ready) resolve();
      };
      if (this.required.length === 0) return resolve();
      this.running = this.required.map((c) =>
        supervise(c, c.leaderOnly && initial ? initial.signal : signal, this.log, {
          onReady: () => {
            this.readyNames.add(c.name);
            this.log.debug({ name: c.name }, 'component ready');
            if (this.ready) resolve();
          },
          onStartupFailure: (err: StartupError) => reject(err),
        }),
      );
    });
  }

  async stopped(): Promise<void> {
    // Leader-only runs started later append themselves to `running` while we wait.
    for (let seen = 0; seen < this.running.length; seen = this.running.length) await Promise.all(this.running);
  }

  private leadershipChanged(leader: boolean, leaderOnly: readonly Component[], signal: AbortSignal): void {
    if (signal.aborted) return;
    if (!leader) {
      if (!this.leaderRun) return;
      this.log.info({ components: leaderOnly.map((c) => c.name) }, 'leadership lost: stopping leader-only components');
      this.leaderRun.abort();
      this.leaderRun = undefined;
      // A follower is ready without them, even if leadership was lost before they were.
      for (const c of leaderOnly) this.readyNames.add(c.name);
      this.settleStart();
      return;
    }
    if (this.leaderRun) return;
    const run = new AbortController();
    this.leaderRun = run;
    this.log.info({ components: leaderOnly.map((c) => c.name) }, 'leadership gained: starting leader-only components');
    for (const c of leaderOnly) this.running.push(this.superviseLeaderOnly(c, run.signal));
  }

  /** A leader-only component started mid-run: a failure to start is retried with back-off, never fatal. */
  private async superviseLeaderOnly(component: Component, signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      let failed: StartupError | undefined;
      await supervise(component, signal, this.log, {
        onReady: () => {
          attempt = 0;
          this.readyNames.add(component.name);
        },
        onStartupFailure: (err) => (failed = err),
      });
      if (!failed || signal.aborted) return;
      const delay = backoffDelay(DEFAULT_BACKOFF, attempt++);
      this.log.error({ failed: component.name, err: errorMessage(failed), retryInMs: Math.round(delay) }, 'leader-only component failed to start, retrying');
      await sleep(delay, signal);
    }
  }
}
