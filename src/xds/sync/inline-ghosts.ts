import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import { sleep } from '../../core/runtime/supervisor.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { isInlineRegistered, type DataplaneLifecycle } from './dataplane-lifecycle.js';

/**
 * After a (re)start: inline Dataplanes whose proxy did not reconnect within `graceMs` are ghosts of a
 * previous run (the CP was killed before their streams ended) and are removed, so nobody routes to them.
 * A Dataplane with an open subscription on another control-plane instance is left alone.
 */
export async function removeInlineGhosts(rt: Pick<Runtime, 'store' | 'manager' | 'instanceId'>, lifecycle: DataplaneLifecycle, graceMs: number, signal: AbortSignal, log: Logger): Promise<number> {
  const candidates = (await rt.store.list('Dataplane')).filter(isInlineRegistered).map((r) => ({ mesh: r.meta.mesh, name: r.meta.name }));
  if (candidates.length === 0) return 0;
  log.info({ dataplanes: candidates.length, graceMs }, 'waiting for inline data planes of a previous run to reconnect');
  await sleep(graceMs, signal);
  if (signal.aborted) return 0;
  let removed = 0;
  for (const key of candidates) {
    const servedElsewhere = async (): Promise<boolean> => {
      const insight = await rt.store.find('DataplaneInsight', key);
      const subs = insight?.spec.subscriptions ?? [];
      return subs.some((s) => !s.disconnectTime && s.controlPlaneInstanceId !== rt.instanceId);
    };
    try {
      if (await lifecycle.removeIfOrphan(key, async () => !(await servedElsewhere()))) {
        removed++;
        log.info({ mesh: key.mesh, dataplane: key.name }, 'removed inline dataplane: its proxy did not reconnect after the restart');
      }
    } catch (err) {
      log.warn({ mesh: key.mesh, dataplane: key.name, err: errorMessage(err) }, 'removing a ghost inline dataplane failed');
    }
  }
  return removed;
}
