import { buildRuntime } from '../../src/core/runtime/bootstrap.js';
import { configSchema } from '../../src/config/schema.js';
import type { Component } from '../../src/core/runtime/component.js';
import type { Runtime } from '../../src/core/runtime/runtime.js';
import type { ResourceStore } from '../../src/core/store/resource-store.js';
import { MemoryStore } from '../../src/plugins/store/memory/memory-store.js';

/** Test support: a runtime over an in-memory store with the given dnsServer settings (ports 0 on loopback). */
export function testRuntime(dnsServer: Record<string, unknown> = {}, store: ResourceStore = new MemoryStore()): Runtime {
  const config = configSchema.parse({ store: { type: 'memory' }, dnsServer: { port: 0, interface: '127.0.0.1', ...dnsServer } });
  return buildRuntime(config, store, { instanceId: 'test', meshDefaults: false });
}

/** Test support: starts a component and resolves once it is ready; `stop()` aborts it and waits for the end. */
export async function startComponent(c: Component): Promise<{ stop(): Promise<void> }> {
  const ac = new AbortController();
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const done = c.start(ac.signal, onReady);
  await Promise.race([ready, done.then(() => Promise.reject(new Error(`${c.name} ended before it was ready`)))]);
  return {
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}
