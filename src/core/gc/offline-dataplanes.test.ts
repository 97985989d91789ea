import { describe, expect, it } from 'vitest';
import type { Resource } from '../resources/model.js';
import type { ResourceOf } from '../resources/typed-resource.js';
import { orphanInsights, planGc } from './offline-dataplanes.js';

const NOW = Date.parse('2026-01-10T00:00:00Z');
const HOUR = 3_600_000;
const meta = (name: string) => ({ name, mesh: 'default', version: 1, creationTime: '', modificationTime: '' });
// The GC reads only the metadata of a Dataplane: an empty spec stands for any.
const dp = (name: string, createdHoursAgo = 100): ResourceOf<'Dataplane'> =>
  ({ type: 'Dataplane', meta: { ...meta(name), creationTime: new Date(NOW - createdHoursAgo * HOUR).toISOString() }, spec: {} }) as unknown as ResourceOf<'Dataplane'>;
// Only the subscriptions' connect/disconnect times matter to the GC: the rest of an insight is left out.
const insight = (name: string, disconnectedHoursAgo: number | undefined): ResourceOf<'DataplaneInsight'> => ({
  type: 'DataplaneInsight',
  meta: meta(name),
  spec: {
    subscriptions: [
      {
        connectTime: '2026-01-01T00:00:00Z',
        ...(disconnectedHoursAgo !== undefined ? { disconnectTime: new Date(NOW - disconnectedHoursAgo * HOUR).toISOString() } : {}),
      },
    ],
  },
}) as unknown as ResourceOf<'DataplaneInsight'>;

describe('planGc', () => {
  it('deletes data planes offline longer than the age, and orphaned insights; keeps online and never-connected ones', () => {
    const plan = planGc(
      [dp('old'), dp('recent'), dp('online'), dp('never')],
      [insight('old', 73), insight('recent', 71), insight('online', undefined), insight('gone', 1)],
      72 * HOUR,
      NOW,
    );
    expect(plan.dataplanes.map((r) => r.meta.name)).toEqual(['old']);
    expect(plan.insights.map((r) => r.meta.name)).toEqual(['gone']);
  });

  it('never deletes a data plane whose proxy never connected, however old; reports those older than the age', () => {
    const noSubscription: ResourceOf<'DataplaneInsight'> = { type: 'DataplaneInsight', meta: meta('empty'), spec: { subscriptions: [] } };
    const plan = planGc([dp('never', 1000), dp('empty', 1000), dp('new', 1)], [noSubscription], 72 * HOUR, NOW);
    expect(plan.dataplanes).toEqual([]);
    expect(plan.insights).toEqual([]);
    expect(plan.neverConnected.map((r) => r.meta.name)).toEqual(['never', 'empty']);
  });

  it('finds insights whose owner is gone, by mesh and name', () => {
    const zi = (name: string, type: Resource['type']): Resource => ({ type, meta: { ...meta(name), mesh: '' }, spec: {} });
    expect(orphanInsights([zi('zi-1', 'ZoneIngress')], [zi('zi-1', 'ZoneIngressInsight'), zi('zi-2', 'ZoneIngressInsight')]).map((r) => r.meta.name)).toEqual(['zi-2']);
    expect(orphanInsights([dp('a')], [{ ...insight('a', 1), meta: { ...meta('a'), mesh: 'other' } }])).toHaveLength(1);
  });
});
