import { describe, expect, it } from 'vitest';
import { SendLimiter } from './send-limiter.js';

describe('SendLimiter', () => {
  it('admits up to the limit and hands permits over in FIFO order', async () => {
    const l = new SendLimiter(2);
    const r1 = await l.acquire();
    const r2 = await l.acquire();
    const order: number[] = [];
    const w3 = l.acquire().then((r) => (order.push(3), r));
    const w4 = l.acquire().then((r) => (order.push(4), r));
    expect(l.inUse).toBe(2);
    r1();
    r1();
    const r3 = await w3;
    expect(order).toEqual([3]);
    r2();
    const r4 = await w4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(l.inUse).toBe(0);
  });

  it('keeps a permit while its write is pending, however long, up to the stuck limit', async () => {
    const l = new SendLimiter(1, 60_000);
    const r1 = await l.acquire('a');
    let got = false;
    const w2 = l.acquire('b').then((r) => ((got = true), r));
    await new Promise((r) => setTimeout(r, 1200));
    expect(got).toBe(false);
    expect(l.waiting).toBe(1);
    r1();
    (await w2)();
    expect(l.inUse).toBe(0);
  });

  it('returns a permit held past the stuck limit and reports its holder once', async () => {
    const stuck: string[] = [];
    const l = new SendLimiter(1, 10, (who) => stuck.push(who));
    const r1 = await l.acquire('proxy-1');
    const next = await l.acquire('proxy-2');
    expect(stuck).toEqual(['proxy-1']);
    r1();
    next();
    expect(l.inUse).toBe(0);
    expect(stuck).toEqual(['proxy-1']);
  });
});
