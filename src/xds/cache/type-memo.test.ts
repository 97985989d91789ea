import { describe, expect, it } from 'vitest';
import { TypeMemo } from './type-memo.js';

describe('TypeMemo', () => {
  it('computes once per (key, type), keyed by identity', () => {
    const calls: string[] = [];
    const memo = new TypeMemo((key: { id: string }, typeUrl: string) => {
      calls.push(`${key.id}/${typeUrl}`);
      return [key.id, typeUrl];
    });
    const k1 = { id: 'k' };
    const first = memo.get(k1, 'A');
    expect(memo.get(k1, 'A')).toBe(first);
    expect(memo.get(k1, 'B')).toEqual(['k', 'B']);
    expect(memo.get(k1, 'B')).toBe(memo.get(k1, 'B'));
    // Another object with the same content is another key.
    expect(memo.get({ id: 'k' }, 'A')).not.toBe(first);
    expect(calls).toEqual(['k/A', 'k/B', 'k/A']);
  });

  it('keeps a false answer: it is not computed again', () => {
    let computed = 0;
    const memo = new TypeMemo((_key: object, _typeUrl: string) => {
      computed++;
      return false;
    });
    const key = {};
    expect(memo.get(key, 'A')).toBe(false);
    expect(memo.get(key, 'A')).toBe(false);
    expect(computed).toBe(1);
  });
});
