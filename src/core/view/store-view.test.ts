import { describe, expect, expectTypeOf, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { logger } from '../logging.js';
import type { ResourceTypeName } from '../resources/model.js';
import { typeDescriptor, type SpecOf } from '../resources/registry.js';
import type { ResourceOf } from '../resources/typed-resource.js';
import type { ResourceStore, StoreEvent, StoreListener } from '../store/resource-store.js';
import { storeEvent } from '../store/store-event.js';
import { StoreView } from './store-view.js';

const log = logger('test');
const vip = (service: string, ip: string): Record<string, unknown> => ({ service, ip });
const key = (name: string): { name: string; mesh: string } => ({ name, mesh: '' });
const ops = (events: readonly StoreEvent[]): string[] => events.map((e) => `${e.op} ${e.type} ${e.resource.meta.name} v${e.resource.meta.version}`);

/** A store whose list waits for `release()`, and whose event stream can be cut (events dropped) like a lost NOTIFY channel. */
class ControlledStore extends MemoryStore {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  listStarted: (() => void) | undefined;
  connected = true;

  holdLists(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.gate = undefined;
    this.open?.();
  }

  override async list<N extends ResourceTypeName>(type: N, options?: Parameters<ResourceStore['list']>[1]): Promise<ResourceOf<N>[]> {
    const result = await super.list(type, options);
    this.listStarted?.();
    if (this.gate) await this.gate;
    return result;
  }

  private readonly resyncs: (() => Promise<void>)[] = [];

  /** What a store whose change stream had a gap does: asks its subscribers to re-list. */
  async gap(): Promise<void> {
    await Promise.all(this.resyncs.map((r) => r()));
  }

  override subscribe(listener: StoreListener): () => void {
    this.resyncs.push(() => listener.resync());
    return super.subscribe({
      changes: (events) => {
        if (this.connected) listener.changes(events);
      },
      resync: () => listener.resync(),
    });
  }
}

describe('StoreView', () => {
  it('loads the current resources and keeps them sorted like the store lists them', async () => {
    const store = new MemoryStore();
    await store.create('VirtualIP', key('b'), vip('b', '240.0.0.2'));
    await store.create('VirtualIP', key('a'), vip('a', '240.0.0.1'));
    const view = new StoreView(store, log);
    await view.start();
    expect(view.list('VirtualIP').map((r) => r.meta.name)).toEqual(['a', 'b']);
    expect(view.count('VirtualIP')).toBe(2);
    expect(view.find('VirtualIP', key('a'))?.spec).toEqual(vip('a', '240.0.0.1'));
    await store.delete('VirtualIP', key('a'));
    expect(view.list('VirtualIP').map((r) => r.meta.name)).toEqual(['b']);
    expect(await store.list('VirtualIP')).toEqual(view.list('VirtualIP'));
  });

  it('reads by descriptor as by name, typed by it', async () => {
    const store = new MemoryStore();
    await store.create('VirtualIP', key('a'), vip('a', '240.0.0.1'));
    const view = new StoreView(store, log);
    await view.start();
    const vips = typeDescriptor('VirtualIP');
    expect(view.list(vips)).toBe(view.list('VirtualIP'));
    expect(view.find(vips, key('a'))).toBe(view.find('VirtualIP', key('a')));
    expectTypeOf(view.list(vips)[0]?.spec).toEqualTypeOf<SpecOf<'VirtualIP'> | undefined>();
    expect(view.find(vips, key('a'))?.spec.service).toBe('a');
  });

  it('delivers changes after the write returned, on the consumer queue, in commit order', async () => {
    const store = new MemoryStore();
    const view = new StoreView(store, log);
    await view.start();
    const seen: string[] = [];
    view.watch('test', (events) => void seen.push(...ops(events)));
    await store.create('VirtualIP', key('a'), vip('a', '240.0.0.1'));
    await store.update('VirtualIP', key('a'), vip('a', '240.0.0.9'));
    seen.push('writes returned');
    await nextTurn();
    expect(seen).toEqual(['writes returned', 'create VirtualIP a v1', 'update VirtualIP a v2']);
  });

  it('neither loses nor doubles a change that races with the initial list', async () => {
    const store = new ControlledStore();
    await store.create('VirtualIP', key('listed'), vip('listed', '240.0.0.1'));
    const view = new StoreView(store, log, ['VirtualIP']);
    const seen: string[] = [];
    view.watch('test', (events) => void seen.push(...ops(events)));
    store.holdLists();
    const listed = new Promise<void>((resolve) => (store.listStarted = resolve));
    const started = view.start();
    await listed;
    // The list already holds 'listed' v1; these commits happen while it is in flight.
    await store.update('VirtualIP', key('listed'), vip('listed', '240.0.0.2'));
    await store.create('VirtualIP', key('raced'), vip('raced', '240.0.0.3'));
    store.release();
    await started;
    await nextTurn();
    expect(seen).toEqual(['create VirtualIP listed v2', 'create VirtualIP raced v1']);
    expect(view.list('VirtualIP')).toEqual(await store.list('VirtualIP'));
  });

  it('drops a duplicate or older event', async () => {
    const store = new MemoryStore();
    let replay: StoreListener | undefined;
    const echoing: ResourceStore = Object.assign(Object.create(store) as MemoryStore, {
      subscribe: (l: StoreListener) => {
        replay = l;
        return store.subscribe({
          changes: (events) => {
            l.changes(events);
            l.changes(events);
          },
          resync: () => l.resync(),
        });
      },
    });
    const view = new StoreView(echoing, log, ['VirtualIP']);
    await view.start();
    const seen: string[] = [];
    view.watch('test', (events) => void seen.push(...ops(events)));
    const v1 = await store.create('VirtualIP', key('a'), vip('a', '240.0.0.1'));
    await store.update('VirtualIP', key('a'), vip('a', '240.0.0.2'));
    replay?.changes([storeEvent('update', 'VirtualIP', v1)]);
    await nextTurn();
    expect(seen).toEqual(['create VirtualIP a v1', 'update VirtualIP a v2']);
    expect(view.find('VirtualIP', key('a'))?.meta.version).toBe(2);
  });

  it('when the store reports a gap, the view re-lists and emits exactly the differences the lost events would have', async () => {
    const store = new ControlledStore();
    await store.create('VirtualIP', key('kept'), vip('kept', '240.0.0.1'));
    await store.create('VirtualIP', key('changed'), vip('changed', '240.0.0.2'));
    await store.create('VirtualIP', key('gone'), vip('gone', '240.0.0.3'));
    const view = new StoreView(store, log, ['VirtualIP']);
    await view.start();
    const seen: string[] = [];
    view.watch('test', (events) => void seen.push(...ops(events)));
    store.connected = false;
    await store.update('VirtualIP', key('changed'), vip('changed', '240.0.0.9'));
    await store.delete('VirtualIP', key('gone'));
    await store.create('VirtualIP', key('new'), vip('new', '240.0.0.4'));
    store.connected = true;
    await nextTurn();
    expect(seen).toEqual([]);
    await store.gap();
    await nextTurn();
    expect(seen.sort()).toEqual(['create VirtualIP new v1', 'delete VirtualIP gone v1', 'update VirtualIP changed v2']);
    expect(view.list('VirtualIP')).toEqual(await store.list('VirtualIP'));
  });

  it('a slow consumer holds up neither the writer nor another consumer, and then gets what it missed in one batch', async () => {
    const store = new MemoryStore();
    const view = new StoreView(store, log, ['VirtualIP']);
    await view.start();
    const order: string[] = [];
    let unblock: () => void = () => undefined;
    const slowBatches: string[][] = [];
    const slow = view.watch('slow', async (events) => {
      slowBatches.push(ops(events));
      order.push('slow started');
      await new Promise<void>((resolve) => (unblock = resolve));
      order.push('slow finished');
    });
    const fast = view.watch('fast', (events) => void order.push(...ops(events).map((o) => `fast ${o}`)));
    await store.create('VirtualIP', key('a'), vip('a', '240.0.0.1'));
    order.push('write 1 returned');
    await fast.idle();
    await store.create('VirtualIP', key('b'), vip('b', '240.0.0.2'));
    await store.create('VirtualIP', key('c'), vip('c', '240.0.0.3'));
    order.push('writes 2+3 returned');
    await fast.idle();
    unblock();
    await nextTurn();
    unblock();
    await slow.idle();
    expect(order).toEqual([
      'write 1 returned',
      'slow started',
      'fast create VirtualIP a v1',
      'writes 2+3 returned',
      'fast create VirtualIP b v1',
      'fast create VirtualIP c v1',
      'slow finished',
      'slow started',
      'slow finished',
    ]);
    expect(slowBatches).toEqual([['create VirtualIP a v1'], ['create VirtualIP b v1', 'create VirtualIP c v1']]);
  });

  it('replay hands a new consumer the current state before any later change, and close stops delivery', async () => {
    const store = new MemoryStore();
    await store.create('VirtualIP', key('a'), vip('a', '240.0.0.1'));
    const view = new StoreView(store, log);
    await view.start();
    const seen: string[] = [];
    const sub = view.watch('test', (events) => void seen.push(...ops(events)), { types: ['VirtualIP'], replay: true });
    expect(seen).toEqual(['create VirtualIP a v1']);
    await store.create('Mesh', key('m'), {});
    await store.create('VirtualIP', key('b'), vip('b', '240.0.0.2'));
    await sub.idle();
    sub.close();
    await store.create('VirtualIP', key('c'), vip('c', '240.0.0.3'));
    await nextTurn();
    expect(seen).toEqual(['create VirtualIP a v1', 'create VirtualIP b v1']);
  });
});
