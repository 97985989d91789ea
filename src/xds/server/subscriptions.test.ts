import { describe, expect, it } from 'vitest';
import { DeltaSubscription } from './delta-subscription.js';
import { BadRequestError } from '../../core/errors.js';
import { MAX_RESOURCE_NAME_LENGTH, NameBudget } from './name-budget.js';
import { SotwSubscription } from './sotw-subscription.js';

describe('SotwSubscription', () => {
  it('activates legacy wildcard on an empty first request and deactivates it once names were given', () => {
    const s = new SotwSubscription(new NameBudget());
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
    const s = new SotwSubscription(new NameBudget());
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
    const s = new DeltaSubscription(new NameBudget());
    s.apply([], []);
    expect(s.wildcard).toBe(true);
    const s2 = new DeltaSubscription(new NameBudget());
    s2.apply(['a'], []);
    s2.apply([], []);
    expect(s2.wildcard).toBe(false);
  });

  it('toggles wildcard with * and ignores phantom unsubscribes', () => {
    const s = new DeltaSubscription(new NameBudget());
    const c1 = s.apply(['*', 'a'], []);
    expect(s.wildcard).toBe(true);
    expect(c1.subscribed).toEqual(['a']);
    const c2 = s.apply([], ['*', 'a', 'never']);
    expect(s.wildcard).toBe(false);
    expect(c2.unsubscribed).toEqual(['a']);
    expect(s.names.size).toBe(0);
  });
});

describe('NameBudget across subscriptions of one stream', () => {
  const long = (c: string, n = MAX_RESOURCE_NAME_LENGTH) => c.repeat(n);

  it('refuses a name over the length limit, keeping nothing of the request', () => {
    const s = new SotwSubscription(new NameBudget());
    s.update(['a']);
    expect(() => s.update(['b', long('x', MAX_RESOURCE_NAME_LENGTH + 1)])).toThrow(BadRequestError);
    expect([...s.names]).toEqual(['a']);
    const d = new DeltaSubscription(new NameBudget());
    expect(() => d.apply([long('y', 1024 * 1024)], [])).toThrow(/resource name of 1048576 bytes is longer than 4096: "y{64}…\(1048576 chars\)"/);
    expect(d.names.size).toBe(0);
  });

  it('sums the names of every type of the stream; SotW replaces, delta adds and gives back on unsubscribe', () => {
    const budget = new NameBudget(3 * MAX_RESOURCE_NAME_LENGTH);
    const eds = new SotwSubscription(budget);
    const cds = new DeltaSubscription(budget);
    eds.update([long('a'), long('b')]);
    eds.update([long('c'), long('d')]);
    expect(budget.bytes).toBe(2 * MAX_RESOURCE_NAME_LENGTH);
    cds.apply([long('e')], []);
    expect(() => cds.apply([long('f')], [])).toThrow(/more than 12288/);
    expect([...cds.names]).toEqual([long('e')]);
    cds.apply([], [long('e')]);
    cds.apply([long('f')], [long('never')]);
    expect(budget.bytes).toBe(3 * MAX_RESOURCE_NAME_LENGTH);
    eds.update([]);
    expect(budget.bytes).toBe(MAX_RESOURCE_NAME_LENGTH);
  });
});
