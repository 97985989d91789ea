import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's `proto/` directory, found from the calling module's URL: src/* (vitest) and dist/src/*
 * (built) sit at different depths below the package root.
 */
export function projectProtoDir(moduleUrl: string, file: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'proto', file))) return join(dir, 'proto');
    dir = dirname(dir);
  }
  throw new Error(`proto/${file} not found above ${dirname(fileURLToPath(moduleUrl))}`);
}
