import { describe, expect, it } from 'vitest';
import { emptyClaMemoBytes, emptyClusterLoadAssignment, MAX_MEMO_BYTES } from './empty-cla.js';

describe('empty ClusterLoadAssignment memo', () => {
  it('shares one encoded resource per name', () => {
    expect(emptyClusterLoadAssignment('gone')).toBe(emptyClusterLoadAssignment('gone'));
  });

  it('stays within its byte bound however many peer-chosen names pass through it', () => {
    for (let i = 0; i < 2000; i++) emptyClusterLoadAssignment(`${i}-${'x'.repeat(4000)}`);
    expect(emptyClaMemoBytes()).toBeLessThanOrEqual(MAX_MEMO_BYTES);
    expect(emptyClaMemoBytes()).toBeGreaterThan(MAX_MEMO_BYTES / 2);
    // The most recent names are still shared.
    expect(emptyClusterLoadAssignment(`1999-${'x'.repeat(4000)}`)).toBe(emptyClusterLoadAssignment(`1999-${'x'.repeat(4000)}`));
  });
});
