import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DefaultResourceManager } from '../core/manager/manager-impl.js';
import type { Resource } from '../core/resources/model.js';
import { MemoryStore } from '../plugins/store/memory/memory-store.js';
import type { WireResource } from './kds-proto.js';
import { Sink } from './sink.js';
import { globalScopeOnZone } from './sync-scope.js';
import { toExported } from './wire-resource.js';

function zoneSink() {
  const store = new MemoryStore();
  const manager = new DefaultResourceManager(store, { meshDefaults: false });
  const sink = new Sink(manager, globalScopeOnZone(store, 'zone-1'), new Set(['Mesh', 'TrafficRoute', 'ZoneIngress'] as const), pino({ level: 'silent' }));
  return { store, manager, sink };
}

const wire = (type: Resource['type'], name: string, mesh: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): WireResource =>
  toExported({ type, meta: { name, mesh, version: 1, creationTime: '', modificationTime: '', labels }, spec }, 'globalToZone').wire;

const route = {
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': 'web' } }],
  conf: { destination: { 'kuma.io/service': 'web' } },
};

describe('Sink on a zone', () => {
  it('applies a whole update or nothing: a missing mesh NACKs every resource of the batch', async () => {
    const { store, sink } = zoneSink();
    const result = await sink.apply({ type: 'TrafficRoute', nonce: '1', resources: [wire('TrafficRoute', 'a', 'm', route), wire('TrafficRoute', 'b', 'nope', route)], removed: [] });
    expect(result.ok).toBe(false);
    expect(await store.list('TrafficRoute')).toEqual([]);
    expect((await sink.apply({ type: 'Mesh', nonce: '2', resources: [wire('Mesh', 'm', '', {}), wire('Mesh', 'nope', '', {})], removed: [] })).ok).toBe(true);
    expect(await sink.apply({ type: 'TrafficRoute', nonce: '3', resources: [wire('TrafficRoute', 'a', 'm', route), wire('TrafficRoute', 'b', 'nope', route)], removed: [] })).toEqual({ ok: true, written: 2 });
    const stored = await store.get('TrafficRoute', { mesh: 'm', name: 'a' });
    expect(stored.meta.labels).toEqual({ 'kuma.io/origin': 'global' });
    // The same content again writes nothing (versions match).
    expect(await sink.apply({ type: 'TrafficRoute', nonce: '4', resources: [wire('TrafficRoute', 'a', 'm', route)], removed: [] })).toEqual({ ok: true, written: 0 });
    expect(await sink.held('TrafficRoute')).toEqual([
      { mesh: 'm', name: 'a', version: toExported(stored, 'globalToZone').version },
      expect.objectContaining({ mesh: 'nope', name: 'b' }),
    ]);
  });

  it("never overwrites or removes the zone's own ingresses", async () => {
    const { store, manager, sink } = zoneSink();
    await manager.create('ZoneIngress', { mesh: '', name: 'ing' }, { networking: { address: '1.1.1.1', port: 1 } });
    const clash = await sink.apply({ type: 'ZoneIngress', nonce: '1', resources: [wire('ZoneIngress', 'ing', '', { networking: { address: '2.2.2.2', port: 2 } }, { 'kuma.io/zone': 'zone-2' })], removed: [] });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect(clash).toEqual({ ok: false, error: expect.stringMatching(/conflicts with a local ZoneIngress ing that was not synced from the global/) });
    const removal = await sink.apply({ type: 'ZoneIngress', nonce: '2', resources: [], removed: [{ name: 'ing', mesh: '' }] });
    expect(removal.ok).toBe(false);
    const own = await sink.apply({ type: 'ZoneIngress', nonce: '3', resources: [wire('ZoneIngress', 'x', '', { networking: { address: '3.3.3.3', port: 3 } }, { 'kuma.io/zone': 'zone-1' })], removed: [] });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect(own).toEqual({ ok: false, error: expect.stringMatching(/ingress of this zone/) });
    expect((await store.get('ZoneIngress', { mesh: '', name: 'ing' })).spec).toEqual({ networking: { address: '1.1.1.1', port: 1 } });
    expect(await sink.held('ZoneIngress')).toEqual([]);
  });
});
