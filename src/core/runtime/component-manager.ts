import { logger } from '../logging.js';
import type { Component } from './component.js';
import { StartupError, supervise } from './supervisor.js';

/**
 * Starts every component under supervision. `start` resolves once all are ready and rejects with the
 * first StartupError. `stopped` resolves when every component has returned after the abort.
 */
export class ComponentManager {
  private readonly readyNames = new Set<string>();
  private running: Promise<void>[] = [];
  private readonly components: Component[] = [];

  constructor(private readonly isLeader: () => boolean) {}

  /** Registers components; only before `start`. */
  add(components: readonly Component[]): void {
    this.components.push(...components);
  }

  names(): string[] {
    return this.components.map((c) => c.name);
  }

  get ready(): boolean {
    return this.readyNames.size === this.running.length && this.running.length > 0;
  }

  /** Names of components not ready yet (for /ready diagnostics). */
  pending(): string[] {
    return this.components.filter((c) => !this.readyNames.has(c.name)).map((c) => c.name);
  }

  start(signal: AbortSignal): Promise<void> {
    const log = logger('runtime');
    const selected = this.components.filter((c) => !c.leaderOnly || this.isLeader());
    return new Promise<void>((resolve, reject) => {
      if (selected.length === 0) return resolve();
      this.running = selected.map((c) =>
        supervise(c, signal, log, {
          onReady: () => {
            this.readyNames.add(c.name);
            log.debug({ component: c.name }, 'component ready');
            if (this.readyNames.size === selected.length) resolve();
          },
          onStartupFailure: (err: StartupError) => reject(err),
        }),
      );
    });
  }

  async stopped(): Promise<void> {
    await Promise.all(this.running);
  }
}
