import { NotFoundError } from '../errors.js';
import { durationMillis } from '../resources/schemas/durations.js';
import type { Component } from '../runtime/component.js';
import { periodicComponent } from '../runtime/periodic-component.js';
import type { Runtime } from '../runtime/runtime.js';
import { orphanInsights, planGc } from './offline-dataplanes.js';

/** How often the GC looks at most; a short cleanup age makes it look more often (half the age, at least every second). */
const MAX_INTERVAL_MS = 60_000;

/**
 * Leader-only (one instance deletes, however many share the store): removes Dataplanes offline for longer than
 * `runtime.universal.dataplaneCleanupAge` (Kuma's KUMA_RUNTIME_UNIVERSAL_DATAPLANE_CLEANUP_AGE, default 72h,
 * `0` = never) with their insight, and insights left without their Dataplane or ZoneIngress. One log line per deletion,
 * and one per Dataplane older than the age whose proxy never connected (kept: see planGc).
 * Undefined when the age is 0: nothing to run.
 */
export function dataplaneGcComponent(rt: Runtime): Component | undefined {
  const age = rt.config.runtime.universal.dataplaneCleanupAge;
  const ageMs = durationMillis(age) ?? 0;
  if (ageMs <= 0) return undefined;
  const log = rt.logger('dataplane-gc');
  const ignoreMissing = (err: unknown): void => {
    if (!(err instanceof NotFoundError)) throw err;
  };
  // Never-connected Dataplanes past the age, already reported: each is logged once, not at every sweep.
  let reported = new Set<string>();
  const sweep = async (): Promise<void> => {
    // From the store view (no re-list per sweep): deleting goes through the manager, which answers NotFound for what
    // another instance deleted meanwhile (ignored).
    await rt.view.start();
    const plan = planGc(rt.view.list('Dataplane'), rt.view.list('DataplaneInsight'), ageMs, Date.now());
    const keep = new Set<string>();
    for (const dp of plan.neverConnected) {
      const key = `${dp.meta.mesh}/${dp.meta.name}`;
      keep.add(key);
      if (reported.has(key)) continue;
      log.info({ mesh: dp.meta.mesh, dataplane: dp.meta.name, cleanupAge: age, created: dp.meta.creationTime }, 'kept a data plane that never connected: the GC deletes only data planes whose proxy connected and then stayed offline longer than the cleanup age');
    }
    reported = keep;
    for (const dp of plan.dataplanes) {
      await rt.manager.delete('Dataplane', dp.meta).catch(ignoreMissing);
      await rt.manager.delete('DataplaneInsight', dp.meta).catch(ignoreMissing);
      log.info({ mesh: dp.meta.mesh, dataplane: dp.meta.name, cleanupAge: age }, 'deleted a data plane offline longer than the cleanup age');
    }
    for (const i of plan.insights) {
      await rt.manager.delete('DataplaneInsight', i.meta).catch(ignoreMissing);
      log.info({ mesh: i.meta.mesh, dataplane: i.meta.name }, 'deleted the insight of a data plane that no longer exists');
    }
    for (const i of orphanInsights(rt.view.list('ZoneIngress'), rt.view.list('ZoneIngressInsight'))) {
      await rt.manager.delete('ZoneIngressInsight', i.meta).catch(ignoreMissing);
      log.info({ zoneIngress: i.meta.name }, 'deleted the insight of a zone ingress that no longer exists');
    }
  };
  return periodicComponent('dataplane-gc', Math.max(1000, Math.min(MAX_INTERVAL_MS, ageMs / 2)), sweep, { leaderOnly: true, log });
}
