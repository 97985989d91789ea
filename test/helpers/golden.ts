import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/** `UPDATE_GOLDEN=1 npx vitest run <golden tests>` rewrites the golden files; nothing else writes them. */
export const UPDATE_GOLDEN = process.env['UPDATE_GOLDEN'] === '1';

/**
 * The one golden-file rule: `actual` must equal the file at `path`, byte for byte. A missing golden file is a
 * failure (a test that writes what it checks cannot fail); with UPDATE_GOLDEN=1 the file is (re)written first.
 */
export function expectGolden(path: string, actual: string): void {
  if (UPDATE_GOLDEN) writeFileSync(path, actual);
  else if (!existsSync(path)) throw new Error(`golden file ${path} is missing: review the output and write it with UPDATE_GOLDEN=1`);
  expect(actual).toEqual(readFileSync(path, 'utf8'));
}
