import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { MeshNotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { typeDescriptor } from '../resources/registry.js';
import type { ResourceOf } from '../resources/typed-resource.js';
import type { StoreEvent } from '../store/resource-store.js';
import { DefaultResourceManager } from './manager-impl.js';
import { onChanges } from '../../../test/helpers/store-listener.js';

const mesh = (name: string) => ({ name, mesh: '' });
const dataplane = {
  networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend' } }] },
};

function violationsOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return [...err.violations];
    throw err;
  }
  return [];
}

describe('DefaultResourceManager', () => {
  let store: MemoryStore;
  let manager: DefaultResourceManager;
  let events: StoreEvent[];

  beforeEach(() => {
    store = new MemoryStore();
    manager = new DefaultResourceManager(store, { meshDefaults: true });
    events = [];
    store.subscribe(onChanges((e) => events.push(...e)));
  });

  it('creates a Mesh with its four default policies in one commit', async () => {
    await manager.create('Mesh', mesh('demo'), {});
    const names = events.map((e) => `${e.type}/${e.resource.meta.name}`).sort();
    expect(names).toEqual(['Mesh/demo', 'Retry/retry-all-demo', 'Timeout/timeout-all-demo', 'TrafficPermission/allow-all-demo', 'TrafficRoute/route-all-demo']);
  });

  it('reads by descriptor as by name, typed by it', async () => {
    await manager.create('Mesh', mesh('default'), {});
    const meshes = typeDescriptor('Mesh');
    expect(await manager.get(meshes, mesh('default'))).toEqual(await manager.get('Mesh', mesh('default')));
    expect(await manager.find(meshes, mesh('missing'))).toBeUndefined();
    const listed = await manager.list(meshes);
    expectTypeOf(listed).toEqualTypeOf<ResourceOf<'Mesh'>[]>();
    expect(listed).toEqual(await manager.list('Mesh'));
    expect(listed.map((m) => m.meta.name)).toEqual(['default']);
  });

  it('refuses a spec nested too deeply or too large on every path (REST, KDS-synced, inline), before the type schema reads it', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 70; i++) deep = { a: deep };
    const big = { ...dataplane, networking: { ...dataplane.networking, inbound: [{ port: 8080, tags: { 'kuma.io/service': 'backend', blob: 'x'.repeat(1024 * 1024) } }] } };
    for (const synced of [false, true]) {
      expect(violationsOf(() => manager.validate('TrafficRoute', { name: 'r', mesh: 'default' }, { conf: deep }, { synced }))).toEqual([{ field: 'spec', message: 'nests deeper than 64 levels' }]);
      expect(violationsOf(() => manager.validate('Dataplane', { name: 'd', mesh: 'default' }, big, { synced }))).toEqual([
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
        { field: 'spec', message: expect.stringMatching(/^is \d+ bytes as JSON, more than the 1048576 a resource may have$/) },
      ]);
    }
    expect(violationsOf(() => manager.validate('Dataplane', { name: 'd', mesh: 'default' }, dataplane))).toEqual([]);
  });

  it('creates no defaults when told not to (remote mode)', async () => {
    const remote = new DefaultResourceManager(store, { meshDefaults: false });
    await remote.create('Mesh', mesh('demo'), {});
    expect(events.map((e) => e.type)).toEqual(['Mesh']);
  });

  it('refuses a mesh-scoped resource in a missing mesh', async () => {
    await expect(manager.create('Dataplane', { name: 'dp', mesh: 'nope' }, dataplane)).rejects.toBeInstanceOf(MeshNotFoundError);
    expect(events).toEqual([]);
  });

  it('reports key and spec violations together, Kuma-style', () => {
    const v = violationsOf(() => manager.validate('Dataplane', { name: 'Bad Name', mesh: 'default' }, { networking: { address: '10.0.0.1' } }));
    expect(v).toContainEqual({ field: 'name', message: "invalid characters. Valid characters are numbers, lowercase latin letters and '-', '_' symbols." });
    expect(v.some((x) => x.field === 'networking')).toBe(true);
  });

  it('allows a zone prefix with a dot only for synced resources', () => {
    const key = { name: 'zone-1.dp', mesh: 'default' };
    expect(violationsOf(() => manager.validate('Dataplane', key, dataplane)).map((x) => x.field)).toContain('name');
    expect(violationsOf(() => manager.validate('Dataplane', key, dataplane, { synced: true }))).toEqual([]);
  });

  it('upsert creates then updates', async () => {
    await manager.create('Mesh', mesh('default'), {});
    const first = await manager.upsert('Dataplane', { name: 'dp', mesh: 'default' }, dataplane);
    const second = await manager.upsert('Dataplane', { name: 'dp', mesh: 'default' }, dataplane);
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.resource.meta.version).toBe(2);
  });

  it('refuses to delete a Mesh that still has Dataplanes, and deletes it once they are gone', async () => {
    await manager.create('Mesh', mesh('default'), {});
    await manager.create('Dataplane', { name: 'dp', mesh: 'default' }, dataplane);
    await expect(manager.delete('Mesh', mesh('default'))).rejects.toBeInstanceOf(PreconditionFailedError);
    await manager.delete('Dataplane', { name: 'dp', mesh: 'default' });
    await manager.delete('Mesh', mesh('default'));
    expect(await store.list('TrafficRoute')).toEqual([]);
  });

  it('transact validates every write first and applies none if one is invalid', async () => {
    await manager.create('Mesh', mesh('default'), {});
    events = [];
    const bad = manager.transact([
      { op: 'create', type: 'Dataplane', key: { name: 'ok', mesh: 'default' }, spec: dataplane },
      { op: 'create', type: 'Dataplane', key: { name: 'bad', mesh: 'default' }, spec: { networking: {} } },
    ]);
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toThrow(/Dataplane default\/bad/);
    expect(events).toEqual([]);
    expect(await store.list('Dataplane')).toEqual([]);
  });
});
