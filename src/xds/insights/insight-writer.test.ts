import { describe, expect, it } from 'vitest';
import type { DiscoverySubscription } from '../../core/resources/specs.js';
import { MAX_SUBSCRIPTIONS, mergeSubscription } from './insight-writer.js';
import { instanceHost } from './stale-subscriptions.js';

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

describe('instanceHost', () => {
  it('drops the pid and random suffix, keeping dashes inside the host name', () => {
    expect(instanceHost('my-host-1234-ab12')).toBe('my-host');
    expect(instanceHost('solo')).toBe('solo');
  });
});
