import { NotFoundError, errorMessage } from '../errors.js';
import { logger } from '../logging.js';
import { durationMillis } from '../resources/schemas/durations.js';
import type { Component } from '../runtime/component.js';
import type { Runtime } from '../runtime/runtime.js';
import { untilAborted } from '../runtime/abort.js';
import { planGc } from './offline-dataplanes.js';

/** How often the GC looks (at most; a short cleanup age makes it look more often). */
const MAX_INTERVAL_MS = 60_000;

/**
 * Leader-only: deletes Dataplanes offline for longer than `runtime.universal.dataplaneCleanupAge`
 * (default 72h, `0` = never) and insights left without their Dataplane. One log line per deletion.
 */
export function dataplaneGcComponent(rt: Runtime): Component {
  return {
    name: 'dataplane-gc',
    leaderOnly: true,
    async start(signal, ready) {
      const log = logger('dataplane-gc');
      const ageMs = durationMillis(rt.config.runtime.universal.dataplaneCleanupAge) ?? 0;
      ready();
      if (ageMs <= 0) return untilAborted(signal);
      const interval = Math.max(1000, Math.min(MAX_INTERVAL_MS, ageMs / 2));
      while (!signal.aborted) {
        await sweep(rt, ageMs).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'data plane GC failed; retrying later'));
        await sleep(interval, signal);
      }
    },
  };

  async function sweep(runtime: Runtime, ageMs: number): Promise<void> {
    const log = logger('dataplane-gc');
    const [dataplanes, insights] = await Promise.all([runtime.manager.list('Dataplane'), runtime.manager.list('DataplaneInsight')]);
    const plan = planGc(dataplanes, insights, ageMs, Date.now());
    for (const dp of plan.dataplanes) {
      await ignoreMissing(runtime.manager.delete('Dataplane', dp.meta));
      await ignoreMissing(runtime.manager.delete('DataplaneInsight', dp.meta));
      log.info({ mesh: dp.meta.mesh, dataplane: dp.meta.name, cleanupAge: runtime.config.runtime.universal.dataplaneCleanupAge }, 'deleted a data plane offline longer than the cleanup age');
    }
    for (const i of plan.insights) {
      await ignoreMissing(runtime.manager.delete('DataplaneInsight', i.meta));
      log.info({ mesh: i.meta.mesh, dataplane: i.meta.name }, 'deleted the insight of a data plane that no longer exists');
    }
  }
}

async function ignoreMissing(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

