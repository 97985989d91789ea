import type { Config } from '../../config/schema.js';
import { DefaultResourceManager } from '../manager/manager-impl.js';
import type { ResourceStore } from '../store/resource-store.js';
import { newInstanceId } from './instance-id.js';
import type { Runtime } from './runtime.js';

/** Builds the runtime from a config and an opened store. Starts nothing. */
export function buildRuntime(config: Config, store: ResourceStore, instanceId: string = newInstanceId()): Runtime {
  return {
    config,
    instanceId,
    store,
    // A remote CP receives its meshes and their policies from the global: it never creates defaults.
    manager: new DefaultResourceManager(store, { meshDefaults: config.mode !== 'remote' }),
  };
}
