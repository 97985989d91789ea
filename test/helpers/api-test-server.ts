import { buildRuntime } from '../../src/core/runtime/bootstrap.js';
import type { AddressInfo } from 'node:net';
import { configSchema, type Mode } from '../../src/config/schema.js';
import { DefaultResourceManager } from '../../src/core/manager/manager-impl.js';
import { logger } from '../../src/core/logging.js';
import type { ResourceManager } from '../../src/core/manager/resource-manager.js';
import type { ResourceStore } from '../../src/core/store/resource-store.js';
import type { StoreView } from '../../src/core/view/store-view.js';
import { MemoryStore } from '../../src/plugins/store/memory/memory-store.js';
import { apiServerComponent } from '../../src/api-server/api-server.js';
import { meshCaHooks } from '../../src/mtls/mesh-ca-hooks.js';
import { dryRunnerFor } from '../../src/xds/inspect/dry-run.js';
import { matchedPolicies } from '../../src/xds/inspect/matched-policies.js';

/** An API server running in-process on a free port over a MemoryStore: for this directory's tests only. */
export interface TestApi {
  readonly url: string;
  readonly port: number;
  readonly store: ResourceStore;
  readonly manager: ResourceManager;
  readonly view: StoreView;
  stop(): Promise<void>;
}

/** `caHooks`: the manager enforces the mesh CA rules (src/mtls) as the daemon's does; off by default (no CA generation). */
export async function startTestApi(opts: { mode?: Mode; maxBodyBytes?: number; defaultMesh?: boolean; caHooks?: boolean } = {}): Promise<TestApi> {
  const mode = opts.mode ?? 'standalone';
  const config = configSchema.parse({
    mode,
    apiServer: { http: { interface: '127.0.0.1', port: 0 }, ...(opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {}) },
    ...(mode === 'remote' ? { multizone: { remote: { zone: 'zone-1', globalAddress: 'grpc://127.0.0.1:5685' } } } : {}),
  });
  const store = new MemoryStore();
  const manager = new DefaultResourceManager(store, { meshDefaults: mode !== 'remote', ...(opts.caHooks ? { hooks: meshCaHooks(store, logger('mesh-ca')) } : {}) });
  if (opts.defaultMesh ?? true) await manager.create('Mesh', { name: 'default', mesh: '' }, {});
  const controller = new AbortController();
  let onListening: (a: AddressInfo) => void = () => undefined;
  const listening = new Promise<AddressInfo>((resolve) => (onListening = resolve));
  const rt = { ...buildRuntime(config, store, { instanceId: 'test' }), manager };
  const running = apiServerComponent(rt, { matchPolicies: matchedPolicies, xds: () => undefined, dryRun: dryRunnerFor(rt, () => undefined) }, { onListening }).start(controller.signal, () => undefined);
  const address = await Promise.race([listening, running.then(() => Promise.reject(new Error('api-server stopped before listening')))]);
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    store,
    manager,
    view: rt.view,
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}
