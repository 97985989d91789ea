import { describe, expect, it } from 'vitest';
import { configSchema, type Mode } from './config/schema.js';
import { buildRuntime } from './core/runtime/bootstrap.js';
import { componentsFor } from './modes.js';
import { MemoryStore } from './plugins/store/memory/memory-store.js';

function names(mode: Mode): string[] {
  const config = configSchema.parse({ mode, multizone: { remote: { zone: 'zone-1', globalAddress: 'grpc://127.0.0.1:5685' } } });
  const rt = buildRuntime(config, new MemoryStore());
  return componentsFor(rt, { ready: false, pending: () => [] }).map((c) => c.name);
}

describe('modes', () => {
  it('standalone serves data planes, DNS and defaults, and no KDS', () => {
    const n = names('standalone');
    expect(n).toEqual(expect.arrayContaining(['api-server', 'diagnostics', 'defaults', 'dp-server', 'bootstrap-server', 'mads-server']));
    expect(n.some((c) => c.startsWith('dns'))).toBe(true);
    expect(n.some((c) => c.startsWith('kds'))).toBe(false);
  });

  it('global runs KDS and defaults, refuses data planes, and has no DNS', () => {
    const n = names('global');
    expect(n).toEqual(expect.arrayContaining(['api-server', 'diagnostics', 'defaults']));
    expect(n.some((c) => c.startsWith('kds'))).toBe(true);
    expect(n.some((c) => c.startsWith('dns'))).toBe(false);
    expect(n).not.toContain('bootstrap-server');
    expect(n).not.toContain('mads-server');
  });

  it('remote serves data planes and DNS, dials the global, and creates no defaults', () => {
    const n = names('remote');
    expect(n).toEqual(expect.arrayContaining(['api-server', 'diagnostics', 'dp-server', 'bootstrap-server', 'mads-server']));
    expect(n.some((c) => c.startsWith('dns'))).toBe(true);
    expect(n.some((c) => c.startsWith('kds'))).toBe(true);
    expect(n).not.toContain('defaults');
  });
});
