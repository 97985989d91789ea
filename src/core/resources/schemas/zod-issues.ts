import { z } from 'zod';
import type { Violation } from '../../errors.js';
import { FieldPath } from './path.js';

type Segment = PropertyKey;

/** Peels wrappers (optional, default, pipe, ...) off a schema to reach the one that shapes the value. */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  for (let i = 0; i < 32 && s; i++) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) s = s.def.innerType as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else if (s instanceof z.ZodReadonly || s instanceof z.ZodCatch) s = s.def.innerType as z.ZodType;
    else if (s instanceof z.ZodLazy) s = s.def.getter() as z.ZodType;
    else return s;
  }
  return s;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Renders a zod issue path the Kuma way. The schema is walked alongside the path so that keys of maps
 * (tags, selectors) come out as `["kuma.io/service"]` and object fields as `.field`.
 */
export function kumaPath(schema: z.ZodType, segments: readonly Segment[], base: FieldPath = FieldPath.root()): FieldPath {
  let path = base;
  let current: z.ZodType | undefined = schema;
  for (const seg of segments) {
    const s = unwrap(current);
    if (typeof seg === 'number') {
      path = path.index(seg);
      current = s instanceof z.ZodArray ? (s.element as z.ZodType) : undefined;
    } else if (s instanceof z.ZodRecord) {
      path = path.key(String(seg));
      current = s.valueType as z.ZodType;
    } else if (s instanceof z.ZodObject) {
      path = path.field(String(seg));
      current = (s.shape as Record<string, z.ZodType>)[String(seg)];
    } else {
      path = IDENTIFIER.test(String(seg)) ? path.field(String(seg)) : path.key(String(seg));
      current = undefined;
    }
  }
  return path;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'must be a string',
  number: 'must be a number',
  int: 'must be an integer',
  boolean: 'must be a boolean',
  object: 'must be an object',
  record: 'must be an object',
  array: 'must be an array',
};

/**
 * Messages for issues whose schema did not set its own (a schema's message always wins): type
 * mismatches read `must be a <type>`, absent required fields `has to be defined`.
 */
export const kumaErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'has to be defined';
      return EXPECTED[issue.expected] ?? `must be of type ${issue.expected}`;
    case 'invalid_value':
      return `has invalid value. Allowed values: ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    default:
      return undefined;
  }
};

/** Turns zod issues (parsed with kumaErrorMap) into violations with Kuma paths under `base`. */
export function issuesToViolations(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], base?: FieldPath): Violation[] {
  return issues.map((issue) => ({ field: kumaPath(schema, issue.path, base).toString(), message: issue.message }));
}
