import { describe, expect, it } from 'vitest';
import { EmptyClaMemo, MAX_MEMO_BYTES } from './empty-cla.js';

describe('empty ClusterLoadAssignment memo', () => {
  it('shares one encoded resource per name', () => {
    const memo = new EmptyClaMemo();
    expect(memo.get('gone')).toBe(memo.get('gone'));
  });

  it('stays within its byte bound however many peer-chosen names pass through it', () => {
    const memo = new EmptyClaMemo();
    for (let i = 0; i < 2000; i++) memo.get(`${i}-${'x'.repeat(4000)}`);
    expect(memo.bytes).toBeLessThanOrEqual(MAX_MEMO_BYTES);
    expect(memo.bytes).toBeGreaterThan(MAX_MEMO_BYTES / 2);
    // The most recent names are still shared.
    expect(memo.get(`1999-${'x'.repeat(4000)}`)).toBe(memo.get(`1999-${'x'.repeat(4000)}`));
  });

  it('is per memo: two dp-servers in one process share nothing', () => {
    const a = new EmptyClaMemo();
    const b = new EmptyClaMemo();
    a.get('gone');
    expect(b.bytes).toBe(0);
    expect(b.get('gone')).not.toBe(a.get('gone'));
    expect(b.get('gone')).toEqual(a.get('gone'));
  });
});
