import { describe, expect, it } from 'vitest';
import { logger } from '../logging.js';
import { DefaultResourceManager } from '../manager/manager-impl.js';
import type { KdsSubscription } from '../resources/specs.js';
import { StoreView } from '../view/store-view.js';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { InsightTracker, type InsightKind } from './insight-tracker.js';
import { LiveSubscription, type StatKind } from './live-subscription.js';
import { MAX_SUBSCRIPTIONS } from './subscription-writer.js';

/** A kind stored like ZoneInsight; `closeOpenOnConnect` is the parameter under test. */
const kind = (closeOpenOnConnect: boolean): InsightKind<KdsSubscription> => ({
  target: () => ({ type: 'ZoneInsight', owner: 'Zone' }),
  types: ['ZoneInsight'],
  instanceOf: (s) => s.globalInstanceId,
  closeOpenOnConnect,
});

class Sub extends LiveSubscription<KdsSubscription> {
  constructor(private readonly instance = 'self') {
    super();
  }
  hit(kind: StatKind, type: string): void {
    this.count(kind, type);
  }
  toSubscription(): KdsSubscription {
    const stat: KdsSubscription['status']['stat'] = {};
    for (const k of this.countedKeys()) stat[k] = this.countedUnder(k);
    return { id: this.id, globalInstanceId: this.instance, connectTime: this.connectTime, ...(this.disconnectTime ? { disconnectTime: this.disconnectTime } : {}), status: { total: { ...this.total }, stat } };
  }
}

async function setup(closeOpenOnConnect = false) {
  const store = new MemoryStore();
  const manager = new DefaultResourceManager(store, { meshDefaults: false });
  const view = new StoreView(store, logger('test'));
  await view.start();
  await manager.create('Zone', { mesh: '', name: 'z' }, {});
  const tracker = new InsightTracker(kind(closeOpenOnConnect), manager, logger('test'));
  const subs = async (): Promise<KdsSubscription[]> => ((await manager.find('ZoneInsight', { mesh: '', name: 'z' }))?.spec['subscriptions'] ?? []);
  return { manager, view, tracker, subs };
}

const key = { mesh: '', name: 'z' };

describe('InsightTracker', () => {
  it('writes at connect, counts and flushes only what changed, and closes at disconnect', async () => {
    const { manager, tracker, subs } = await setup();
    const s = new Sub();
    await tracker.connect(key, s);
    expect((await subs()).map((x) => [x.id, x.disconnectTime])).toEqual([[s.id, undefined]]);
    const version = (await manager.get('ZoneInsight', key)).meta.version;
    await tracker.flush();
    expect((await manager.get('ZoneInsight', key)).meta.version).toBe(version);
    s.hit('sent', 'Mesh');
    s.hit('sent', 'Mesh');
    s.hit('rejected', 'Secret');
    await tracker.flush();
    const [written] = await subs();
    expect(written?.status.total).toEqual({ responsesSent: 2, responsesAcknowledged: 0, responsesRejected: 1 });
    expect(written?.status.stat['Secret']).toEqual({ responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 1 });
    await tracker.disconnect(s);
    expect((await subs())[0]?.disconnectTime).toBeDefined();
    s.hit('sent', 'Mesh');
    const after = (await manager.get('ZoneInsight', key)).meta.version;
    await tracker.flush();
    expect((await manager.get('ZoneInsight', key)).meta.version).toBe(after);
  });

  it('closes subscriptions left open by an earlier stream only for kinds with one stream per owner', async () => {
    for (const closeOpen of [false, true]) {
      const { tracker, subs } = await setup(closeOpen);
      const first = new Sub();
      await tracker.connect(key, first);
      const second = new Sub();
      await tracker.connect(key, second);
      const open = (await subs()).filter((x) => !x.disconnectTime).map((x) => x.id);
      expect(open).toEqual(closeOpen ? [second.id] : [first.id, second.id]);
    }
  });

  it('keeps the newest subscriptions and writes nothing for an owner that is gone', async () => {
    const { manager, tracker, subs } = await setup();
    for (let i = 0; i < MAX_SUBSCRIPTIONS + 2; i++) await tracker.connect(key, new Sub());
    expect(await subs()).toHaveLength(MAX_SUBSCRIPTIONS);
    await manager.delete('Zone', key);
    await tracker.connect(key, new Sub());
    expect(await manager.find('ZoneInsight', key)).toBeUndefined();
  });

  it('serialises concurrent writes to one insight without losing a subscription', async () => {
    const { tracker, subs } = await setup();
    const all = Array.from({ length: 5 }, () => new Sub());
    await Promise.all(all.map((s) => tracker.connect(key, s)));
    expect((await subs()).map((x) => x.id).sort()).toEqual(all.map((s) => s.id).sort());
  });

  it('stale rule: closes open subscriptions of instances that are not alive, and only those', async () => {
    const { view, tracker, subs } = await setup();
    const gone = new Sub('gone');
    const peer = new Sub('peer');
    await tracker.connect(key, gone);
    await tracker.connect(key, peer);
    expect(await tracker.closeStale(view, new Set(['self', 'peer']))).toBe(1);
    expect((await subs()).map((x) => [x.globalInstanceId, x.disconnectTime === undefined])).toEqual([
      ['gone', false],
      ['peer', true],
    ]);
  });
});
