import { describe, expect, it } from 'vitest';
import type { Spec } from '../core/resources/model.js';
import type { ResourceOf } from '../core/resources/typed-resource.js';
import { zoneOverview, zoneStatus } from './zone-overview.js';

const meta = { name: 'zone-1', mesh: '', version: 1, creationTime: 'c', modificationTime: 'm' };
// Partial specs on purpose (a Zone without `enabled`, subscriptions with only their times): what the functions read.
const zone = (spec: Spec): ResourceOf<'Zone'> => ({ type: 'Zone', meta, spec }) as ResourceOf<'Zone'>;
const insight = (...subs: Spec[]): ResourceOf<'ZoneInsight'> => ({ type: 'ZoneInsight', meta, spec: { subscriptions: subs } }) as unknown as ResourceOf<'ZoneInsight'>;

describe('zone status', () => {
  it('is active only when enabled and the latest subscription is connected', () => {
    const online = insight({ id: 'a', connectTime: 't0', disconnectTime: 't1' }, { id: 'b', connectTime: 't2' });
    const offline = insight({ id: 'a', connectTime: 't0' }, { id: 'b', connectTime: 't2', disconnectTime: 't3' });
    expect(zoneStatus(zone({}), online)).toEqual({ name: 'zone-1', active: true });
    expect(zoneStatus(zone({ enabled: true }), online).active).toBe(true);
    expect(zoneStatus(zone({ enabled: false }), online).active).toBe(false);
    expect(zoneStatus(zone({ enabled: true }), offline).active).toBe(false);
    expect(zoneStatus(zone({ enabled: true }), undefined).active).toBe(false);
    expect(zoneStatus(zone({ enabled: true }), insight()).active).toBe(false);
  });
});

describe('zoneOverview', () => {
  it('makes enabled explicit and joins the insight', () => {
    expect(zoneOverview(zone({}), insight({ id: 'a', connectTime: 't' }))).toEqual({
      type: 'ZoneOverview',
      name: 'zone-1',
      creationTime: 'c',
      modificationTime: 'm',
      zone: { enabled: true },
      zoneInsight: { subscriptions: [{ id: 'a', connectTime: 't' }] },
    });
    expect(zoneOverview(zone({ enabled: false }), undefined)).toMatchObject({ zone: { enabled: false }, zoneInsight: {} });
  });
});
