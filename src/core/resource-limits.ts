import type { Violation } from './errors.js';

/**
 * How large and how deeply nested one resource may be, whatever path it comes in by: REST bodies, resources
 * a zone or the global sends over KDS, and Dataplanes registered inline in node metadata all write through the
 * ResourceManager, which checks these before anything else reads the spec. No Kuma resource nests anywhere near
 * 64 levels; a spec that does (free-form `conf` fields accept anything) would later overflow the stack of
 * whatever serialises it (the store, xDS, KDS). 1 MiB is the REST body limit's default.
 */
export const RESOURCE_LIMITS = { maxDepth: 64, maxBytes: 1024 * 1024 } as const;

/** Iterative, so that the check itself cannot overflow the stack. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** What is wrong with `spec` against RESOURCE_LIMITS (empty when within them). */
export function resourceLimitViolations(spec: unknown): Violation[] {
  if (nestsDeeperThan(spec, RESOURCE_LIMITS.maxDepth)) return [{ field: 'spec', message: `nests deeper than ${RESOURCE_LIMITS.maxDepth} levels` }];
  const bytes = Buffer.byteLength(JSON.stringify(spec) ?? '');
  if (bytes > RESOURCE_LIMITS.maxBytes) return [{ field: 'spec', message: `is ${bytes} bytes as JSON, more than the ${RESOURCE_LIMITS.maxBytes} a resource may have` }];
  return [];
}
