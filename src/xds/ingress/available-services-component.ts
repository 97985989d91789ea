import { ConflictError, NotFoundError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { Resource } from '../../core/resources/model.js';
import { untilAborted } from '../../core/runtime/abort.js';
import type { Component } from '../../core/runtime/component.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import { ORIGIN_LABEL } from '../../core/resources/labels.js';
import { computeAvailableServices, sameAvailableServices } from './available-services.js';

const DEBOUNCE_MS = 200;

/**
 * Leader-only (standalone and zone CPs): keeps `availableServices` of this zone's ingresses (ZoneIngress,
 * and Kuma 1.1 Dataplanes with `networking.ingress`) equal to what the zone's Dataplanes offer, writing an
 * ingress only when its set changed. KDS carries the result to the global and on to the other zones.
 */
export function availableServicesComponent(rt: Runtime): Component {
  const log = rt.logger('ingress-available-services');
  const localZone = rt.config.mode === 'remote' ? rt.config.multizone.remote.zone : undefined;
  return {
    name: 'ingress-available-services',
    leaderOnly: true,
    async start(signal, ready) {
      let timer: NodeJS.Timeout | undefined;
      let running = Promise.resolve();
      const run = (): void => {
        running = running.then(() => reconcile(rt, localZone, log)).catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'updating ingress available services failed'));
      };
      await rt.view.start();
      const watch = rt.view.watch(
        'ingress-available-services',
        () => {
          timer ??= setTimeout(() => {
            timer = undefined;
            run();
          }, DEBOUNCE_MS);
        },
        { types: ['Dataplane', 'ZoneIngress'] },
      );
      run();
      await running;
      ready();
      await untilAborted(signal);
      watch.close();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** Ingresses of this zone: not synced from elsewhere (KDS labels them with their origin). */
const isLocal = (r: Resource): boolean => r.meta.labels?.[ORIGIN_LABEL] === undefined;

async function reconcile(rt: Runtime, localZone: string | undefined, log: Logger): Promise<void> {
  const dataplanes = rt.view.list('Dataplane');
  const ingresses = rt.view.list('ZoneIngress');
  const local = dataplanes.filter(isLocal);
  const available = computeAvailableServices(local);
  for (const zi of ingresses.filter(isLocal)) {
    const spec = zi.spec;
    if (localZone && spec.zone && spec.zone !== localZone) continue;
    if (sameAvailableServices(spec.availableServices, available)) continue;
    await write(() => rt.manager.update('ZoneIngress', { name: zi.meta.name, mesh: '' }, { ...spec, availableServices: available }, { expectedVersion: zi.meta.version }));
    log.info({ ingress: zi.meta.name, services: available.length }, 'zone ingress available services updated');
  }
  for (const dp of local) {
    const spec = dp.spec;
    const ingress = spec.networking.ingress;
    if (!ingress) continue;
    if (sameAvailableServices(ingress.availableServices, available)) continue;
    const next = { ...spec, networking: { ...spec.networking, ingress: { ...ingress, availableServices: available } } };
    await write(() => rt.manager.update('Dataplane', { name: dp.meta.name, mesh: dp.meta.mesh }, next, { expectedVersion: dp.meta.version }));
    log.info({ mesh: dp.meta.mesh, ingress: dp.meta.name, services: available.length }, 'ingress dataplane available services updated');
  }
}

/** A concurrent change or deletion is not an error: the event it caused runs the reconcile again. */
async function write(op: () => Promise<unknown>): Promise<void> {
  try {
    await op();
  } catch (err) {
    if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
  }
}
