import { describe, expect, it } from 'vitest';
import { DeltaSubscription } from './delta-subscription.js';
import { SotwSubscription } from './sotw-subscription.js';

describe('SotwSubscription', () => {
  it('activates legacy wildcard on an empty first request and deactivates it once names were given', () => {
    const s = new SotwSubscription();
    expect(s.update([])).toBe(true);
    expect(s.wildcard).toBe(true);
    expect(s.update(['a'])).toBe(true);
    expect(s.wildcard).toBe(false);
    expect([...s.names]).toEqual(['a']);
    // After explicit names an empty list unsubscribes from everything: not wildcard.
    expect(s.update([])).toBe(true);
    expect(s.wildcard).toBe(false);
    expect(s.names.size).toBe(0);
  });

  it('treats * as explicit wildcard alongside names and reports no change for the same set', () => {
    const s = new SotwSubscription();
    s.update(['*', 'a']);
    expect(s.wildcard).toBe(true);
    expect([...s.names]).toEqual(['a']);
    expect(s.update(['a', '*'])).toBe(false);
    expect(s.update(['a'])).toBe(true);
    expect(s.wildcard).toBe(false);
  });
});

describe('DeltaSubscription', () => {
  it('legacy wildcard on an empty first subscribe only', () => {
    const s = new DeltaSubscription();
    s.apply([], []);
    expect(s.wildcard).toBe(true);
    const s2 = new DeltaSubscription();
    s2.apply(['a'], []);
    s2.apply([], []);
    expect(s2.wildcard).toBe(false);
  });

  it('toggles wildcard with * and ignores phantom unsubscribes', () => {
    const s = new DeltaSubscription();
    const c1 = s.apply(['*', 'a'], []);
    expect(s.wildcard).toBe(true);
    expect(c1.subscribed).toEqual(['a']);
    const c2 = s.apply([], ['*', 'a', 'never']);
    expect(s.wildcard).toBe(false);
    expect(c2.unsubscribed).toEqual(['a']);
    expect(s.names.size).toBe(0);
  });
});
