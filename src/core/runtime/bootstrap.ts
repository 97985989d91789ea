import type { Config } from '../../config/schema.js';
import { DefaultResourceManager } from '../manager/manager-impl.js';
import type { ResourceStore } from '../store/resource-store.js';
import { meshCaHooks } from '../../mtls/mesh-ca-hooks.js';
import type { InstanceRegistry } from './instance-registry.js';
import { newInstanceId } from './instance-id.js';
import type { Runtime } from './runtime.js';
import type { CpTls } from '../../transport/cp-tls.js';

/** Builds the runtime from a config and an opened store. Starts nothing. */
export function buildRuntime(config: Config, store: ResourceStore, instanceId: string = newInstanceId(), instances?: InstanceRegistry, tls?: CpTls): Runtime {
  return {
    config,
    instanceId,
    ...(instances ? { instances } : {}),
    ...(tls ? { tls } : {}),
    store,
    // A remote CP receives its meshes and their policies from the global: it never creates defaults.
    // The mesh CA rules apply to user writes; synced ones (a zone's meshes and CA Secrets) bypass them.
    manager: new DefaultResourceManager(store, { meshDefaults: config.mode !== 'remote', hooks: meshCaHooks(store) }),
  };
}
