import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../src/core/errors.js';
import { describeKey, type Resource, type ResourceKey, type Spec } from '../../src/core/resources/model.js';
import type { ResourceStore, StoreEvent } from '../../src/core/store/resource-store.js';
import { onChanges } from '../helpers/store-listener.js';

/** The contract stores arbitrary JSON (the store does not validate): its spec read as the plain object it is. */
const untyped = (r: Resource): Spec => r.spec;

/** `create Dataplane m/dp-1`-style lines: what a batch of events did, comparable with toEqual. */
function describeEvents(events: readonly StoreEvent[]): string[] {
  return events.map((e) => `${e.op} ${describeKey(e.type, e.resource.meta)}`);
}

function names(resources: readonly Resource[]): string[] {
  return resources.map((r) => (r.meta.mesh ? `${r.meta.mesh}/${r.meta.name}` : r.meta.name));
}

const g = (name: string): ResourceKey => ({ mesh: '', name });
const m = (mesh: string, name: string): ResourceKey => ({ mesh, name });

/**
 * The behaviour every ResourceStore must have (src/core/store/resource-store.ts). Each implementation runs it
 * with a factory returning a fresh, empty store.
 */
export function runStoreContract(name: string, newStore: () => Promise<ResourceStore>): void {
  describe(`ResourceStore contract: ${name}`, () => {
    let store: ResourceStore;
    let calls: StoreEvent[][];

    beforeEach(async () => {
      store = await newStore();
      calls = [];
      store.subscribe(onChanges((events) => {
        calls.push([...events]);
      }));
    });
    afterEach(async () => {
      await store.close();
    });

    const mesh = (meshName: string): Promise<Resource> => store.create('Mesh', g(meshName), {});
    const dataplane = (meshName: string, dpName: string, address = '10.0.0.1'): Promise<Resource> =>
      store.create('Dataplane', m(meshName, dpName), { networking: { address } });
    const allEvents = (): string[] => calls.flatMap(describeEvents);

    describe('create, get, find', () => {
      it('stores a resource at version 1 and returns it', async () => {
        const before = Date.now();
        const created = await store.create('Mesh', g('default'), { mtls: { enabledBackend: 'ca-1' } });
        const after = Date.now();
        expect(created.type).toBe('Mesh');
        expect(created.meta).toMatchObject({ name: 'default', mesh: '', version: 1 });
        expect(created.spec).toEqual({ mtls: { enabledBackend: 'ca-1' } });
        const creation = Date.parse(created.meta.creationTime);
        expect(creation).toBeGreaterThanOrEqual(before - 1);
        expect(creation).toBeLessThanOrEqual(after + 1);
        expect(created.meta.modificationTime).toBe(created.meta.creationTime);
        expect(await store.get('Mesh', g('default'))).toEqual(created);
        expect(await store.find('Mesh', g('default'))).toEqual(created);
      });

      it('round-trips nested specs exactly', async () => {
        const spec: Spec = {
          networking: { address: '192.168.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web', version: 'v1' } }] },
          flags: [true, false, null],
          weight: 0.25,
          empty: {},
          text: 'ünïcødé "quoted"\n',
        };
        await mesh('default');
        await store.create('Dataplane', m('default', 'web-1'), spec);
        expect((await store.get('Dataplane', m('default', 'web-1'))).spec).toEqual(spec);
      });

      it('honours an explicit creationTime', async () => {
        const time = '2021-03-04T05:06:07.000Z';
        const created = await store.create('Zone', g('zone-1'), {}, { creationTime: time });
        expect(created.meta.creationTime).toBe(time);
        expect((await store.get('Zone', g('zone-1'))).meta.creationTime).toBe(time);
      });

      it('get of a missing resource is NotFoundError, find is undefined', async () => {
        await expect(store.get('Mesh', g('nope'))).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.find('Mesh', g('nope'))).toBeUndefined();
        await mesh('default');
        await expect(store.get('Dataplane', m('default', 'nope'))).rejects.toBeInstanceOf(NotFoundError);
        // The key is (type, mesh, name): the same name under another type is another resource.
        await expect(store.get('Zone', g('default'))).rejects.toBeInstanceOf(NotFoundError);
      });

      it('a second create of the same key is AlreadyExistsError and changes nothing', async () => {
        await store.create('Mesh', g('default'), { a: 1 });
        calls.length = 0;
        await expect(store.create('Mesh', g('default'), { a: 2 })).rejects.toBeInstanceOf(AlreadyExistsError);
        expect((await store.get('Mesh', g('default'))).spec).toEqual({ a: 1 });
        expect(calls).toEqual([]);
      });

      it('keys are (type, mesh, name): same name in another type or mesh is a different resource', async () => {
        await mesh('a');
        await mesh('b');
        await store.create('Zone', g('a'), {});
        await dataplane('a', 'web');
        await dataplane('b', 'web');
        await store.create('TrafficRoute', m('a', 'web'), {});
        expect(names(await store.list('Dataplane'))).toEqual(['a/web', 'b/web']);
        expect(names(await store.list('TrafficRoute'))).toEqual(['a/web']);
        expect(names(await store.list('Zone'))).toEqual(['a']);
        expect(names(await store.list('Mesh'))).toEqual(['a', 'b']);
      });
    });

    describe('labels', () => {
      it('stores labels given at create', async () => {
        const labels = { 'kuma.io/zone': 'zone-1', 'kuma.io/origin': 'zone' };
        const created = await store.create('Zone', g('z'), {}, { labels });
        expect(created.meta.labels).toEqual(labels);
        expect((await store.get('Zone', g('z'))).meta.labels).toEqual(labels);
      });

      it('a resource created without labels has none', async () => {
        await store.create('Zone', g('z'), {});
        expect((await store.get('Zone', g('z'))).meta.labels ?? {}).toEqual({});
      });

      it('update replaces labels when given and keeps them when omitted', async () => {
        await store.create('Zone', g('z'), {}, { labels: { a: '1' } });
        await store.update('Zone', g('z'), { x: 1 });
        expect((await store.get('Zone', g('z'))).meta.labels).toEqual({ a: '1' });
        await store.update('Zone', g('z'), { x: 2 }, { labels: { b: '2' } });
        expect((await store.get('Zone', g('z'))).meta.labels).toEqual({ b: '2' });
      });
    });

    describe('update', () => {
      it('replaces the spec and increments the version, keeping creationTime', async () => {
        const v1 = await store.create('Mesh', g('default'), { a: 1 });
        const v2 = await store.update('Mesh', g('default'), { b: 2 });
        const v3 = await store.update('Mesh', g('default'), { c: 3 });
        expect([v1.meta.version, v2.meta.version, v3.meta.version]).toEqual([1, 2, 3]);
        expect(v3.spec).toEqual({ c: 3 });
        expect(v3.meta.creationTime).toBe(v1.meta.creationTime);
        expect(Date.parse(v2.meta.modificationTime)).toBeGreaterThanOrEqual(Date.parse(v1.meta.modificationTime));
        expect(Date.parse(v3.meta.modificationTime)).toBeGreaterThanOrEqual(Date.parse(v2.meta.modificationTime));
        expect(await store.get('Mesh', g('default'))).toEqual(v3);
      });

      it('succeeds with the current expectedVersion', async () => {
        await store.create('Mesh', g('default'), { a: 1 });
        const updated = await store.update('Mesh', g('default'), { a: 2 }, { expectedVersion: 1 });
        expect(updated.meta.version).toBe(2);
        const again = await store.update('Mesh', g('default'), { a: 3 }, { expectedVersion: 2 });
        expect(again.meta.version).toBe(3);
      });

      it('a stale expectedVersion is ConflictError and changes nothing', async () => {
        await store.create('Mesh', g('default'), { a: 1 });
        await store.update('Mesh', g('default'), { a: 2 });
        calls.length = 0;
        await expect(store.update('Mesh', g('default'), { a: 'stale' }, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConflictError);
        await expect(store.update('Mesh', g('default'), { a: 'future' }, { expectedVersion: 7 })).rejects.toBeInstanceOf(ConflictError);
        const stored = await store.get('Mesh', g('default'));
        expect(stored.spec).toEqual({ a: 2 });
        expect(stored.meta.version).toBe(2);
        expect(calls).toEqual([]);
      });

      it('of a missing resource is NotFoundError', async () => {
        await expect(store.update('Mesh', g('nope'), {})).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.find('Mesh', g('nope'))).toBeUndefined();
        expect(calls).toEqual([]);
      });
    });

    describe('delete', () => {
      it('removes the resource; re-creating starts again at version 1', async () => {
        await store.create('Zone', g('z'), {});
        await store.update('Zone', g('z'), { a: 1 });
        await store.delete('Zone', g('z'));
        expect(await store.find('Zone', g('z'))).toBeUndefined();
        expect(await store.list('Zone')).toEqual([]);
        const again = await store.create('Zone', g('z'), {});
        expect(again.meta.version).toBe(1);
      });

      it('of a missing resource is NotFoundError', async () => {
        await expect(store.delete('Zone', g('nope'))).rejects.toBeInstanceOf(NotFoundError);
        expect(calls).toEqual([]);
      });

      it('leaves other resources alone', async () => {
        await store.create('Zone', g('a'), {});
        await store.create('Zone', g('b'), {});
        await store.create('ZoneInsight', g('a'), {});
        await store.delete('Zone', g('a'));
        expect(names(await store.list('Zone'))).toEqual(['b']);
        expect(names(await store.list('ZoneInsight'))).toEqual(['a']);
      });
    });

    describe('list', () => {
      beforeEach(async () => {
        for (const meshName of ['b', 'a', 'c']) await mesh(meshName);
        for (const [meshName, dpName] of [
          ['b', 'web-2'],
          ['a', 'web-1'],
          ['b', 'backend.zone-1'],
          ['a', 'backend.zone-2'],
          ['b', 'web-1'],
          ['a', 'backend.zone-1'],
        ] as const) {
          await dataplane(meshName, dpName);
        }
      });

      it('returns only the type asked for, sorted by (mesh, name)', async () => {
        expect(names(await store.list('Dataplane'))).toEqual([
          'a/backend.zone-1',
          'a/backend.zone-2',
          'a/web-1',
          'b/backend.zone-1',
          'b/web-1',
          'b/web-2',
        ]);
        expect(names(await store.list('Mesh'))).toEqual(['a', 'b', 'c']);
        expect(await store.list('TrafficRoute')).toEqual([]);
      });

      it('filters by mesh', async () => {
        expect(names(await store.list('Dataplane', { mesh: 'b' }))).toEqual(['b/backend.zone-1', 'b/web-1', 'b/web-2']);
        expect(await store.list('Dataplane', { mesh: 'c' })).toEqual([]);
        expect(await store.list('Dataplane', { mesh: 'missing' })).toEqual([]);
      });

      it('filters by name prefix, literally', async () => {
        expect(names(await store.list('Dataplane', { namePrefix: 'backend.' }))).toEqual([
          'a/backend.zone-1',
          'a/backend.zone-2',
          'b/backend.zone-1',
        ]);
        expect(names(await store.list('Dataplane', { namePrefix: 'web-1' }))).toEqual(['a/web-1', 'b/web-1']);
        // No pattern semantics: '%', '_' and '.' are plain characters.
        expect(await store.list('Dataplane', { namePrefix: 'web_' })).toEqual([]);
        expect(await store.list('Dataplane', { namePrefix: '%' })).toEqual([]);
        expect(await store.list('Dataplane', { namePrefix: 'backend-' })).toEqual([]);
        expect(await store.list('Dataplane', { namePrefix: 'Web' })).toEqual([]);
        expect(await store.list('Dataplane', { namePrefix: '' })).toHaveLength(6);
      });

      it('combines mesh and name prefix', async () => {
        expect(names(await store.list('Dataplane', { mesh: 'a', namePrefix: 'backend.' }))).toEqual(['a/backend.zone-1', 'a/backend.zone-2']);
        expect(await store.list('Dataplane', { mesh: 'c', namePrefix: 'backend.' })).toEqual([]);
      });

      it('lists global-scoped resources with mesh ""', async () => {
        await store.create('Zone', g('zone-2'), {});
        await store.create('Zone', g('zone-1'), {});
        const zones = await store.list('Zone');
        expect(zones.map((z) => z.meta.mesh)).toEqual(['', '']);
        expect(names(zones)).toEqual(['zone-1', 'zone-2']);
        expect(names(await store.list('Zone', { mesh: '' }))).toEqual(['zone-1', 'zone-2']);
      });
    });

    describe('ownership', () => {
      it('a mesh-scoped resource needs its Mesh: NotFoundError otherwise, nothing written', async () => {
        await expect(dataplane('missing', 'dp-1')).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.list('Dataplane')).toEqual([]);
        expect(calls).toEqual([]);
      });

      it('an explicit owner that does not exist is NotFoundError, nothing written', async () => {
        await expect(store.create('ZoneIngress', g('zi'), {}, { owner: { type: 'Zone', mesh: '', name: 'missing' } })).rejects.toBeInstanceOf(
          NotFoundError,
        );
        expect(await store.list('ZoneIngress')).toEqual([]);
        expect(calls).toEqual([]);
      });

      it('deleting a Mesh deletes every resource of that mesh and nothing else', async () => {
        await mesh('a');
        await mesh('b');
        await dataplane('a', 'dp-1');
        await dataplane('a', 'dp-2');
        await store.create('TrafficRoute', m('a', 'route-all'), {});
        await store.create('DataplaneInsight', m('a', 'dp-1'), {});
        await dataplane('b', 'dp-1');
        await store.create('TrafficRoute', m('b', 'route-all'), {});
        await store.create('Zone', g('a'), {});
        calls.length = 0;

        await store.delete('Mesh', g('a'));

        expect(names(await store.list('Mesh'))).toEqual(['b']);
        expect(names(await store.list('Dataplane'))).toEqual(['b/dp-1']);
        expect(names(await store.list('TrafficRoute'))).toEqual(['b/route-all']);
        expect(await store.list('DataplaneInsight')).toEqual([]);
        expect(names(await store.list('Zone'))).toEqual(['a']);
        expect(calls).toHaveLength(1);
        expect(describeEvents(calls[0] ?? []).sort()).toEqual(
          [
            'delete Mesh a',
            'delete Dataplane a/dp-1',
            'delete Dataplane a/dp-2',
            'delete TrafficRoute a/route-all',
            'delete DataplaneInsight a/dp-1',
          ].sort(),
        );
      });

      it('explicit owners chain: deleting the root removes the whole tree, across scopes', async () => {
        await mesh('default');
        await store.create('Zone', g('zone-1'), {});
        const zone = { type: 'Zone', mesh: '', name: 'zone-1' } as const;
        await store.create('ZoneIngress', g('zone-1.ingress'), {}, { owner: zone });
        await store.create('ZoneIngressInsight', g('zone-1.ingress'), {}, { owner: { type: 'ZoneIngress', mesh: '', name: 'zone-1.ingress' } });
        await store.create('Dataplane', m('default', 'zone-1.web'), {}, { owner: zone });
        await store.create('DataplaneInsight', m('default', 'zone-1.web'), {}, { owner: { type: 'Dataplane', mesh: 'default', name: 'zone-1.web' } });
        await store.create('Zone', g('zone-2'), {});
        await dataplane('default', 'local');
        calls.length = 0;

        await store.delete('Zone', g('zone-1'));

        expect(names(await store.list('Zone'))).toEqual(['zone-2']);
        expect(await store.list('ZoneIngress')).toEqual([]);
        expect(await store.list('ZoneIngressInsight')).toEqual([]);
        expect(names(await store.list('Dataplane'))).toEqual(['default/local']);
        expect(await store.list('DataplaneInsight')).toEqual([]);
        expect(names(await store.list('Mesh'))).toEqual(['default']);
        expect(calls).toHaveLength(1);
        expect(describeEvents(calls[0] ?? []).sort()).toEqual(
          [
            'delete Zone zone-1',
            'delete ZoneIngress zone-1.ingress',
            'delete ZoneIngressInsight zone-1.ingress',
            'delete Dataplane default/zone-1.web',
            'delete DataplaneInsight default/zone-1.web',
          ].sort(),
        );
      });

      it('deleting a link of a chain removes what it owns and keeps its owner', async () => {
        await store.create('Zone', g('z'), {});
        await store.create('ZoneIngress', g('zi'), {}, { owner: { type: 'Zone', mesh: '', name: 'z' } });
        await store.create('ZoneIngressInsight', g('zi'), {}, { owner: { type: 'ZoneIngress', mesh: '', name: 'zi' } });
        await store.delete('ZoneIngress', g('zi'));
        expect(names(await store.list('Zone'))).toEqual(['z']);
        expect(await store.list('ZoneIngressInsight')).toEqual([]);
      });

      it('a resource with an explicit owner is still owned by its Mesh', async () => {
        await mesh('default');
        await store.create('Zone', g('zone-1'), {});
        await store.create('Dataplane', m('default', 'zone-1.web'), {}, { owner: { type: 'Zone', mesh: '', name: 'zone-1' } });
        await store.delete('Mesh', g('default'));
        expect(await store.list('Dataplane')).toEqual([]);
        expect(names(await store.list('Zone'))).toEqual(['zone-1']);
      });

      it('a Mesh does not own global-scoped resources that share its name', async () => {
        await mesh('default');
        await store.create('Zone', g('default'), {});
        await store.create('ZoneIngress', g('default'), {});
        await store.delete('Mesh', g('default'));
        expect(names(await store.list('Zone'))).toEqual(['default']);
        expect(names(await store.list('ZoneIngress'))).toEqual(['default']);
      });
    });

    describe('transact', () => {
      it('applies every write of the batch, in order, and emits one call with all events', async () => {
        await mesh('old');
        await dataplane('old', 'dp');
        calls.length = 0;
        await store.transact([
          { op: 'create', type: 'Mesh', key: g('new'), spec: {} },
          { op: 'create', type: 'Dataplane', key: m('new', 'dp'), spec: { v: 1 } },
          { op: 'update', type: 'Dataplane', key: m('new', 'dp'), spec: { v: 2 }, options: { expectedVersion: 1 } },
          { op: 'delete', type: 'Mesh', key: g('old') },
        ]);
        expect(names(await store.list('Mesh'))).toEqual(['new']);
        const dp = await store.get('Dataplane', m('new', 'dp'));
        expect(dp.spec).toEqual({ v: 2 });
        expect(dp.meta.version).toBe(2);
        expect(calls).toHaveLength(1);
        const events = describeEvents(calls[0] ?? []);
        expect(events.slice(0, 3)).toEqual(['create Mesh new', 'create Dataplane new/dp', 'update Dataplane new/dp']);
        expect(events.slice(3).sort()).toEqual(['delete Dataplane old/dp', 'delete Mesh old']);
      });

      it('a failing write leaves nothing of the batch and emits nothing', async () => {
        await mesh('default');
        await store.create('Zone', g('existing'), { keep: true });
        calls.length = 0;
        await expect(
          store.transact([
            { op: 'create', type: 'Dataplane', key: m('default', 'dp-1'), spec: {} },
            { op: 'update', type: 'Zone', key: g('existing'), spec: { keep: false } },
            { op: 'delete', type: 'Mesh', key: g('default') },
            { op: 'create', type: 'Zone', key: g('existing'), spec: {} },
          ]),
        ).rejects.toBeInstanceOf(AlreadyExistsError);
        expect(await store.list('Dataplane')).toEqual([]);
        expect(names(await store.list('Mesh'))).toEqual(['default']);
        const zone = await store.get('Zone', g('existing'));
        expect(zone.spec).toEqual({ keep: true });
        expect(zone.meta.version).toBe(1);
        expect(calls).toEqual([]);
      });

      it('a stale version in the batch is ConflictError and rolls back the rest', async () => {
        await store.create('Zone', g('a'), { v: 1 });
        await store.update('Zone', g('a'), { v: 2 });
        calls.length = 0;
        await expect(
          store.transact([
            { op: 'create', type: 'Zone', key: g('b'), spec: {} },
            { op: 'update', type: 'Zone', key: g('a'), spec: { v: 3 }, options: { expectedVersion: 1 } },
          ]),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(names(await store.list('Zone'))).toEqual(['a']);
        expect((await store.get('Zone', g('a'))).meta.version).toBe(2);
        expect(calls).toEqual([]);
      });

      it('a missing key or owner in the batch is NotFoundError and rolls back the rest', async () => {
        await expect(
          store.transact([
            { op: 'create', type: 'Zone', key: g('b'), spec: {} },
            { op: 'delete', type: 'Zone', key: g('nope') },
          ]),
        ).rejects.toBeInstanceOf(NotFoundError);
        await expect(
          store.transact([
            { op: 'create', type: 'Zone', key: g('c'), spec: {} },
            { op: 'create', type: 'Dataplane', key: m('nope', 'dp'), spec: {} },
          ]),
        ).rejects.toBeInstanceOf(NotFoundError);
        expect(await store.list('Zone')).toEqual([]);
        expect(calls).toEqual([]);
      });

      it('an empty batch changes nothing and emits nothing', async () => {
        await store.transact([]);
        expect(calls).toEqual([]);
      });
    });

    describe('events', () => {
      it('one call per write, with the op, the type and the stored state', async () => {
        const created = await store.create('Mesh', g('default'), { a: 1 });
        const updated = await store.update('Mesh', g('default'), { a: 2 });
        await store.delete('Mesh', g('default'));
        expect(calls).toEqual([
          [{ op: 'create', type: 'Mesh', resource: created }],
          [{ op: 'update', type: 'Mesh', resource: updated }],
          [{ op: 'delete', type: 'Mesh', resource: updated }],
        ]);
      });

      it('listeners run before the write settles, and see the committed state', async () => {
        let seen: Promise<Resource | undefined> | undefined;
        store.subscribe(onChanges(() => {
          seen ??= store.find('Zone', g('z'));
        }));
        const write = store.create('Zone', g('z'), { a: 1 });
        await write;
        expect(calls).toHaveLength(1);
        expect(seen).toBeDefined();
        expect((await seen)?.spec).toEqual({ a: 1 });
      });

      it('failed writes emit nothing', async () => {
        await store.create('Zone', g('z'), {});
        calls.length = 0;
        await expect(store.create('Zone', g('z'), {})).rejects.toThrow();
        await expect(store.update('Zone', g('z'), {}, { expectedVersion: 5 })).rejects.toThrow();
        await expect(store.update('Zone', g('nope'), {})).rejects.toThrow();
        await expect(store.delete('Zone', g('nope'))).rejects.toThrow();
        await expect(dataplane('nope', 'dp')).rejects.toThrow();
        expect(calls).toEqual([]);
      });

      it('unsubscribe stops delivery; other listeners keep theirs', async () => {
        const second: string[] = [];
        const unsubscribe = store.subscribe(onChanges((events) => second.push(...describeEvents(events))));
        await store.create('Zone', g('a'), {});
        unsubscribe();
        await store.create('Zone', g('b'), {});
        expect(second).toEqual(['create Zone a']);
        expect(allEvents()).toEqual(['create Zone a', 'create Zone b']);
      });

      it('a throwing listener neither fails the write nor starves other listeners', async () => {
        store.subscribe(onChanges(() => {
          throw new Error('listener bug');
        }));
        const after: string[] = [];
        store.subscribe(onChanges((events) => after.push(...describeEvents(events))));
        await expect(store.create('Zone', g('z'), {})).resolves.toMatchObject({ meta: { name: 'z' } });
        expect(await store.find('Zone', g('z'))).toBeDefined();
        expect(after).toEqual(['create Zone z']);
      });
    });

    describe('isolation of returned objects', () => {
      it('mutating what create, get, find and list return does not change the store', async () => {
        const created = await store.create('Zone', g('z'), { nested: { value: 1 }, list: [1] }, { labels: { a: '1' } });
        (untyped(created)['nested'] as { value: number }).value = 99;
        (created.meta.labels as Record<string, string>)['a'] = 'changed';
        const got = await store.get('Zone', g('z'));
        (untyped(got)['list'] as number[]).push(2);
        const found = await store.find('Zone', g('z'));
        if (found) untyped(found)['extra'] = true;
        const [listed] = await store.list('Zone');
        if (listed) (untyped(listed)['nested'] as { value: number }).value = 42;
        const stored = await store.get('Zone', g('z'));
        expect(stored.spec).toEqual({ nested: { value: 1 }, list: [1] });
        expect(stored.meta.labels).toEqual({ a: '1' });
      });

      it('mutating the spec or labels passed in after the write does not change the store', async () => {
        const spec = { nested: { value: 1 } };
        const labels: Record<string, string> = { a: '1' };
        await store.create('Zone', g('z'), spec, { labels });
        spec.nested.value = 2;
        labels['a'] = '2';
        const updateSpec = { nested: { value: 3 } };
        await store.update('Zone', g('z'), updateSpec);
        updateSpec.nested.value = 4;
        const stored = await store.get('Zone', g('z'));
        expect(stored.spec).toEqual({ nested: { value: 3 } });
        expect(stored.meta.labels).toEqual({ a: '1' });
      });

      it('mutating an event resource does not change the store', async () => {
        store.subscribe(onChanges((events) => {
          for (const e of events) untyped(e.resource)['tampered'] = true;
        }));
        await store.create('Zone', g('z'), { a: 1 });
        expect((await store.get('Zone', g('z'))).spec).toEqual({ a: 1 });
      });
    });
  });
}
