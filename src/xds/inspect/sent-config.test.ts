import { describe, expect, it } from 'vitest';
import { res, LDS, CDS } from '../../../test/helpers/ads-client.js';
import type { StreamStats } from '../insights/subscription-stats.js';
import { SentConfig } from './sent-config.js';

const counters = (): StreamStats & { calls: string[] } => {
  const calls: string[] = [];
  return { calls, sent: (t) => void calls.push(`sent ${t}`), acked: (t) => void calls.push(`acked ${t}`), rejected: (t, d) => void calls.push(`rejected ${t} ${d ?? ''}`) };
};

describe('SentConfig', () => {
  it('holds the full state of a SotW type and forwards every event to the counters', () => {
    const c = counters();
    const sent = new SentConfig(c);
    sent.sent(CDS, { version: 'v1', resources: [res.cluster('a'), res.cluster('b')], removed: [], full: true });
    sent.acked(CDS);
    sent.sent(CDS, { version: 'v2', resources: [res.cluster('b')], removed: [], full: true });
    expect(sent.held().map((r) => r.name)).toEqual(['b']);
    expect(sent.typeViews()).toMatchObject([{ typeUrl: CDS, version: 'v2', state: 'PENDING', resources: 1 }]);
    expect(c.calls).toEqual([`sent ${CDS}`, `acked ${CDS}`, `sent ${CDS}`]);
  });

  it('accumulates delta responses and keeps the last NACK after a later ACK', () => {
    const sent = new SentConfig(counters());
    sent.sent(LDS, { version: 's1', resources: [res.listener('l1'), res.listener('l2', 10001)], removed: [], full: false });
    sent.acked(LDS);
    sent.sent(LDS, { version: 's2', resources: [res.listener('l3', 10002)], removed: ['l1'], full: false });
    sent.rejected(LDS, 'port taken');
    expect(sent.held().map((r) => r.name).sort()).toEqual(['l2', 'l3']);
    expect(sent.typeViews()[0]).toMatchObject({ state: 'NACK', lastNack: { version: 's2', errorDetail: 'port taken' } });
    sent.sent(LDS, { version: 's3', resources: [], removed: ['l3'], full: false });
    sent.acked(LDS);
    expect(sent.typeViews()[0]).toMatchObject({ version: 's3', state: 'ACK', resources: 1, lastNack: { version: 's2' } });
  });
});
