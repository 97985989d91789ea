import { describe, expect, it } from 'vitest';
import type { Resource, Spec } from '../core/resources/model.js';
import { zoneOverview, zoneStatus } from './zone-overview.js';

const meta = { name: 'zone-1', mesh: '', version: 1, creationTime: 'c', modificationTime: 'm' };
const zone = (spec: Spec): Resource => ({ type: 'Zone', meta, spec });
const insight = (...subs: Spec[]): Resource => ({ type: 'ZoneInsight', meta, spec: { subscriptions: subs } });

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
