import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { resourceVersion } from './resource-version.js';

describe('resourceVersion', () => {
  it('ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: 2 } })).toBe('{"a":{"c":2,"d":[1,{"x":2,"y":1}]},"b":1}');
    expect(resourceVersion({ a: 1, b: { c: 2, d: 3 } }, { x: '1', y: '2' })).toBe(resourceVersion({ b: { d: 3, c: 2 }, a: 1 }, { y: '2', x: '1' }));
  });

  it('changes with the spec, with the labels, and with array order', () => {
    const v = resourceVersion({ a: [1, 2] }, {});
    expect(resourceVersion({ a: [2, 1] }, {})).not.toBe(v);
    expect(resourceVersion({ a: [1, 2] }, { k: 'v' })).not.toBe(v);
    expect(resourceVersion({ a: [1, 2], b: undefined }, {})).toBe(v);
  });
});
