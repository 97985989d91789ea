import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Module-level on purpose: the package version never changes within a process.
let cached: string | undefined;

/**
 * The `version` of the kuma-cp package.json, found by walking up from this module (works from `src/` under
 * vitest and from `dist/src/` when built). Read once.
 */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const version = readVersion(join(dir, 'package.json'));
    if (version !== undefined) return (cached = version);
    const parent = dirname(dir);
    if (parent === dir) return (cached = 'unknown');
    dir = parent;
  }
}

function readVersion(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
  return pkg.name === 'kuma-cp' && typeof pkg.version === 'string' ? pkg.version : undefined;
}
