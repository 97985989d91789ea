import { describe, expect, it } from 'vitest';
import { logger } from '../../core/logging.js';
import { DefaultResourceManager } from '../../core/manager/manager-impl.js';
import type { DiscoverySubscription } from '../../core/resources/specs.js';
import { StoreView } from '../../core/view/store-view.js';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { MAX_SUBSCRIPTIONS, mergeSubscription, updateInsight } from './insight-writer.js';
import { closeStaleSubscriptions } from './stale-subscriptions.js';

const sub = (id: string, disconnectTime?: string): DiscoverySubscription => ({
  id,
  controlPlaneInstanceId: 'h-1-a',
  connectTime: '2026-01-01T00:00:00Z',
  ...(disconnectTime ? { disconnectTime } : {}),
  status: { total: { responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0 } },
});

describe('mergeSubscription', () => {
  it('replaces the subscription with the same id in place', () => {
    const out = mergeSubscription([sub('a'), sub('b')], sub('a', '2026-01-02T00:00:00Z'));
    expect(out.map((s) => [s.id, s.disconnectTime])).toEqual([
      ['a', '2026-01-02T00:00:00Z'],
      ['b', undefined],
    ]);
  });

  it('appends a new one and keeps only the newest ten', () => {
    const many = Array.from({ length: MAX_SUBSCRIPTIONS }, (_, i) => sub(`s${i}`));
    const out = mergeSubscription(many, sub('new'));
    expect(out).toHaveLength(MAX_SUBSCRIPTIONS);
    expect(out[0]?.id).toBe('s1');
    expect(out.at(-1)?.id).toBe('new');
  });
});

describe('closeStaleSubscriptions', () => {
  it('closes open subscriptions of instances that are not alive, and only those', async () => {
    const store = new MemoryStore();
    const manager = new DefaultResourceManager(store, { meshDefaults: false });
    const view = new StoreView(store, logger('test'));
    await view.start();
    await manager.create('Mesh', { mesh: '', name: 'default' }, {});
    await manager.create('Dataplane', { mesh: 'default', name: 'dp' }, { networking: { address: '10.0.0.1', inbound: [{ port: 1, tags: { 'kuma.io/service': 's' } }] } });
    const open = (id: string, cp: string): DiscoverySubscription => ({ ...sub(id), controlPlaneInstanceId: cp });
    const closedEarlier = { ...open('old', 'gone'), disconnectTime: '2020-01-01T00:00:00.000Z' };
    await updateInsight(manager, { mesh: 'default', name: 'dp' }, () => [closedEarlier, open('a', 'gone'), open('b', 'peer'), open('c', 'self')], logger('test'));
    expect(await closeStaleSubscriptions(view, manager, new Set(['self', 'peer']), logger('test'))).toBe(1);
    const insight = await manager.get('DataplaneInsight', { mesh: 'default', name: 'dp' });
    const subs = insight.spec.subscriptions ?? [];
    expect(subs.map((s) => [s.id, s.disconnectTime === undefined])).toEqual([['old', false], ['a', false], ['b', true], ['c', true]]);
    expect(subs[0]?.disconnectTime).toBe('2020-01-01T00:00:00.000Z');
    expect(await closeStaleSubscriptions(view, manager, new Set(['self', 'peer']), logger('test'))).toBe(0);
  });
});
