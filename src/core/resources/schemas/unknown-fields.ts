import type { Violation } from '../../errors.js';
import { FieldPath } from './path.js';

const MAX_DEPTH = 64;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fields of `input` that the schema dropped: walks the input beside what the schema made of it, and every
 * key of an input object that its parsed counterpart lacks is a field the schema does not know (Kuma
 * refuses them: protobuf JSON rejects unknown fields). Maps (tags, free-form objects) keep every key, so
 * only real fields are reported; where a schema turned an object into something else the walk stops.
 */
export function unknownFieldViolations(input: unknown, parsed: unknown, base: FieldPath = FieldPath.root()): Violation[] {
  const out: Violation[] = [];
  walk(input, parsed, base, out, 0);
  return out;
}

function walk(input: unknown, parsed: unknown, path: FieldPath, out: Violation[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(input) && Array.isArray(parsed)) {
    input.forEach((v, i) => walk(v, parsed[i], path.index(i), out, depth + 1));
    return;
  }
  if (!isPlainObject(input) || !isPlainObject(parsed)) return;
  for (const [key, value] of Object.entries(input)) {
    const child = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? path.field(key) : path.key(key);
    if (!Object.hasOwn(parsed, key)) out.push({ field: child.toString(), message: 'unknown field' });
    else walk(value, parsed[key], child, out, depth + 1);
  }
}
