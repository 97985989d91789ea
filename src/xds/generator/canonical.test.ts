import { describe, expect, it } from 'vitest';
import { canonical, CanonicalKeys, contentHash, SNAPSHOT_KEY, snapshotLocal } from './canonical.js';
import { ResourceGroup } from '../cache/resource-group.js';
import { encodeResource } from '../envoy/encode.js';
import { TYPE_URLS } from '../resource.js';

describe('canonical', () => {
  it('ignores key order and undefined members, keeps array order and types', () => {
    expect(canonical({ b: 1, a: [2, 'x', null], c: undefined })).toBe('{"a":[2,"x",null],"b":1}');
    expect(canonical({ a: 1, b: 2 })).toBe(canonical({ b: 2, a: 1 }));
    expect(canonical([1, 2])).not.toBe(canonical([2, 1]));
    expect(canonical({ a: '1' })).not.toBe(canonical({ a: 1 }));
    expect(canonical({ a: { b: true } })).not.toBe(canonical({ a: { b: false } }));
  });

  it('remembers nested objects by identity, giving the same text as a fresh serialisation', () => {
    const keys = new CanonicalKeys();
    const shared = { z: [1, { y: 2 }], a: 'x' };
    expect(keys.of({ p: shared, q: 1 })).toBe(canonical({ q: 1, p: { a: 'x', z: [1, { y: 2 }] } }));
    expect(keys.of({ p: shared, q: 2 })).toBe(canonical({ q: 2, p: { a: 'x', z: [1, { y: 2 }] } }));
    expect(() => canonical({ m: new Map() })).toThrow(/Map/);
  });

  it('stands a ResourceGroup for its content (per-type versions), whatever its identity', () => {
    const cluster = (name: string, seconds: number) => encodeResource(TYPE_URLS.cluster, name, { name, type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } }, connect_timeout: { seconds } });
    const a = new ResourceGroup([cluster('a', 1), cluster('b', 1)]);
    expect(canonical({ g: a })).toBe(canonical({ g: new ResourceGroup([cluster('a', 1), cluster('b', 1)]) }));
    expect(canonical({ g: a })).not.toBe(canonical({ g: new ResourceGroup([cluster('a', 1), cluster('b', 2)]) }));
    expect(canonical({ g: a })).not.toBe(canonical({ g: new ResourceGroup([cluster('a', 1)]) }));
    expect(canonical({ g: ResourceGroup.EMPTY })).not.toBe(canonical({ g: {} }));
  });

  it('stands a snapshot-local value for its own key in snapshot keys and refuses it in keys that outlive the snapshot', () => {
    const keys = new CanonicalKeys();
    const big = { list: Array.from({ length: 1000 }, (_, i) => ({ exact: i, wildcard: 0 })) };
    const local = snapshotLocal(big);
    const text = keys.of({ ranks: local, service: 'a' }, 'snapshot');
    expect(text.length).toBeLessThan(100);
    expect(text).toBe(keys.of({ service: 'a', ranks: snapshotLocal({ list: [...big.list] }) }, 'snapshot'));
    expect(text).not.toBe(keys.of({ ranks: snapshotLocal({ list: [] }), service: 'a' }, 'snapshot'));
    expect(local[SNAPSHOT_KEY]).toBe(contentHash(big));
    // A spread copy carries the key along but would lose what it adds from the key: refused.
    expect(() => keys.of({ ranks: { ...local, service: 'b' } }, 'snapshot')).toThrow(/not frozen/);
    expect(() => keys.of({ ranks: local })).toThrow(/snapshot-local/);
    // A nested text remembered in snapshot scope is not reused for a portable key.
    const holder = { local };
    keys.of({ holder }, 'snapshot');
    expect(() => keys.of({ holder }, 'portable')).toThrow(/snapshot-local/);
  });
});
