import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashParts, setVersion } from './versions.js';

/** The original definition: sha256 over each part followed by a NUL, hex, 16 characters. */
function reference(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

describe('versions', () => {
  it('hashParts is sha256 over NUL-terminated parts (versions stay stable across releases)', () => {
    for (const parts of [[], [''], ['a'], ['a', 'b'], ['ab'], ['outbound:backend\u0001AbCdEf', 'ünïcødé\u0001x', '']]) {
      expect(hashParts(parts)).toBe(reference(parts));
    }
    expect(hashParts(['a', 'b'])).not.toBe(hashParts(['ab']));
    expect(hashParts([])).toBe('e3b0c44298fc1c14');
  });

  it('setVersion is order-independent and salted', () => {
    const a = { name: 'a', version: '1' };
    const b = { name: 'b', version: '2' };
    expect(setVersion([a, b])).toBe(setVersion([b, a]));
    expect(setVersion([a, b])).toBe(reference(['a\u00011', 'b\u00012']));
    expect(setVersion([a, b], 'x')).toBe(reference(['a\u00011', 'b\u00012', 'salt\u0001x']));
  });
});
