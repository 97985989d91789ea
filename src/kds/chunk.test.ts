import { describe, expect, it } from 'vitest';
import type { Resource } from '../core/resources/model.js';
import { ENVELOPE_BYTES, firstChunk, fitsAlone } from './chunk.js';
import { encodeMessage } from './kds-proto.js';
import { toExported } from './wire-resource.js';

const res = (name: string, payload: number): Resource => ({
  type: 'TrafficRoute',
  meta: { name, mesh: 'default', version: 1, creationTime: '2024-01-01T00:00:00Z', modificationTime: '2024-01-01T00:00:00Z' },
  spec: { blob: 'x'.repeat(payload) },
});

describe('firstChunk', () => {
  it('fills a message up to the limit and no further; the encoded message stays under it', () => {
    const max = 16 * 1024;
    const all = Array.from({ length: 100 }, (_, i) => toExported(res(`r-${i}`, 500), 'globalToZone'));
    const removals = Array.from({ length: 20 }, (_, i) => ({ name: `gone-${i}`, mesh: 'default' }));
    const chunk = firstChunk(all, removals, max);
    expect(chunk.removed).toHaveLength(20);
    expect(chunk.resources.length).toBeGreaterThan(10);
    expect(chunk.resources.length).toBeLessThan(100);
    const bytes = encodeMessage({ update: { type: 'TrafficRoute', nonce: '123456', resources: chunk.resources.map((r) => r.wire), removed: chunk.removed } });
    expect(bytes.length).toBeLessThanOrEqual(max - ENVELOPE_BYTES + 64);
    // One more resource would not have fitted.
    const next = all[chunk.resources.length];
    expect(next).toBeDefined();
    const bigger = encodeMessage({ update: { type: 'TrafficRoute', nonce: '1', resources: [...chunk.resources, next!].map((r) => r.wire), removed: chunk.removed } });
    expect(bigger.length).toBeGreaterThan(max - ENVELOPE_BYTES);
  });

  it('takes everything when it fits, and always at least one item', () => {
    const small = [toExported(res('a', 10), 'globalToZone')];
    expect(firstChunk(small, [], 1 << 20).resources).toHaveLength(1);
    const big = toExported(res('big', 3000), 'globalToZone');
    expect(fitsAlone(big, 2048)).toBe(false);
    expect(fitsAlone(big, 8192)).toBe(true);
  });
});
