import { describe, expect, it } from 'vitest';
import { promiseTry } from './promise-try.js';

describe('promiseTry', () => {
  it('resolves with the value, adopts a promise, and turns a throw into a rejection', async () => {
    await expect(promiseTry(() => 1)).resolves.toBe(1);
    await expect(promiseTry(() => Promise.resolve(2))).resolves.toBe(2);
    let thrown: unknown;
    const p = (() => {
      try {
        return promiseTry(() => {
          throw new Error('boom');
        });
      } catch (err) {
        thrown = err;
        return undefined;
      }
    })();
    expect(thrown).toBeUndefined();
    await expect(p).rejects.toThrow('boom');
  });
});
