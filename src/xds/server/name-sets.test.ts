import { describe, expect, it } from 'vitest';
import { NameBudget } from './name-budget.js';
import { NameSets } from './name-sets.js';
import { SotwSubscription } from './sotw-subscription.js';

const clusters = (n: number, prefix = 'svc-'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('NameSets', () => {
  it('gives streams that subscribe to the same names the same set, and separate ones otherwise', () => {
    const sets = new NameSets();
    const a = new SotwSubscription(new NameBudget(), sets);
    const b = new SotwSubscription(new NameBudget(), sets);
    expect(a.update(clusters(100))).toBe(true);
    expect(b.update([...clusters(100)])).toBe(true);
    expect(b.names).toBe(a.names);
    expect([...a.names]).toEqual(clusters(100));
    // A different list (or the same names in another order) is another set; a's set is left as it was.
    expect(b.update(clusters(101))).toBe(true);
    expect(b.names).not.toBe(a.names);
    expect(a.names.size).toBe(100);
    const reversed = new SotwSubscription(new NameBudget(), sets);
    reversed.update(clusters(100).reverse());
    expect(reversed.names).not.toBe(a.names);
    expect([...reversed.names]).toEqual(clusters(100).reverse());
  });

  it('keeps small subscriptions per stream and still charges every stream its names', () => {
    const sets = new NameSets();
    const budget = new NameBudget();
    const a = new SotwSubscription(budget, sets);
    const b = new SotwSubscription(new NameBudget(), sets);
    a.update(['x', 'y']);
    b.update(['x', 'y']);
    expect(b.names).not.toBe(a.names);
    a.update(clusters(20));
    expect(budget.bytes).toBe(clusters(20).join('').length);
  });
});
