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

  it('returns a permit held longer than the hold limit', async () => {
    const l = new SendLimiter(1, 10);
    await l.acquire();
    const next = await l.acquire();
    next();
    expect(l.inUse).toBe(0);
  });
});
