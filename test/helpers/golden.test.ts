import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UPDATE_GOLDEN, expectGolden } from './golden.js';

describe.skipIf(UPDATE_GOLDEN)('expectGolden', () => {
  const dir = mkdtempSync(join(tmpdir(), 'golden-'));

  it('fails when the golden file is missing, and does not write it', () => {
    const path = join(dir, 'missing.golden.yaml');
    expect(() => expectGolden(path, 'a: 1\n')).toThrow(/missing.golden.yaml is missing/);
    expect(() => readFileSync(path)).toThrow(/ENOENT/);
  });

  it('fails when the output differs from the golden file, and leaves the file as it was', () => {
    const path = join(dir, 'differs.golden.yaml');
    writeFileSync(path, 'a: 1\n');
    expect(() => expectGolden(path, 'a: 2\n')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('a: 1\n');
    expectGolden(path, 'a: 1\n');
  });
});
