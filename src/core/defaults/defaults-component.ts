import { AlreadyExistsError } from '../errors.js';
import type { Component } from '../runtime/component.js';
import type { Runtime } from '../runtime/runtime.js';
import { untilAborted } from '../runtime/abort.js';

/** Leader-only: creates mesh `default` (with its default policies, via the manager) unless disabled. */
export function defaultsComponent(rt: Runtime): Component {
  return {
    name: 'defaults',
    leaderOnly: true,
    async start(signal, ready) {
      const log = rt.logger('defaults');
      if (!rt.config.defaults.skipMeshCreation && !(await rt.manager.find('Mesh', { name: 'default', mesh: '' }))) {
        try {
          await rt.manager.create('Mesh', { name: 'default', mesh: '' }, {});
          log.info({ mesh: 'default' }, 'created default mesh with its default policies');
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
      ready();
      await untilAborted(signal);
    },
  };
}
