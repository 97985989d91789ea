import type { z } from 'zod';
import type { ResourceKey, Spec } from '../model.js';
import type { FieldPath } from './path.js';
import { Violations } from './violations.js';
import { unknownFieldViolations } from './unknown-fields.js';
import { issuesToViolations, kumaErrorMap } from './zod-issues.js';

/**
 * Validates a spec for a resource named `name` in `mesh` and returns it normalised (defaults applied,
 * unknown fields refused). Throws ValidationError with every violation (Kuma field paths and messages).
 */
export type SpecValidator = (spec: unknown, key: { name: string; mesh: string }) => Spec;

/** Kuma-rule checks that run on a spec whose shape the zod schema already accepted. */
export type SpecRules<T> = (spec: T, violations: Violations, key: ResourceKey) => void;

/** Beyond this depth values are passed on untouched (no spec is that deep; this bounds the recursion). */
const MAX_DEPTH = 64;

/**
 * YAML writes an empty field as null and protobuf JSON reads null as "not set": drop null object
 * members so that optional fields behave the same whether absent or null.
 */
export function dropNulls(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => dropNulls(v, depth + 1));
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines own properties, so a "__proto__" key stays a plain (unknown, dropped) field.
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, dropNulls(v, depth + 1)]));
  }
  return value;
}

/**
 * Parses `value` with `schema`; on failure records every issue under `base` and returns undefined.
 * Fields the schema does not know are recorded too (`unknown field`, as in Kuma) and the typed value is
 * returned so that the rules can still report on it. Used for the top
 * level and for free-form sub-objects whose shape depends on a sibling (backend conf).
 */
export function parseInto<S extends z.ZodType>(schema: S, value: unknown, violations: Violations, base?: FieldPath): z.output<S> | undefined {
  const result = schema.safeParse(value, { error: kumaErrorMap });
  if (!result.success) {
    violations.addAll(issuesToViolations(schema, result.error.issues, base));
    return undefined;
  }
  // Reported beside the rules' violations (the typed value is still checked), so one answer names everything.
  violations.addAll(unknownFieldViolations(value, result.data, base));
  return result.data;
}

/**
 * A validator in two passes, both reporting every violation they find: the schema checks shape and
 * types (unknown fields are refused, defaults applied), then the rules check Kuma's semantics on the
 * typed result. Rules run only on a well-typed spec, as in Kuma where a spec that does not parse is
 * never validated.
 */
export function defineValidator<S extends z.ZodType<Spec>>(schema: S, rules?: SpecRules<z.output<S>>): SpecValidator {
  return (spec, key) => {
    const violations = new Violations();
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      violations.add('', 'must be an object');
      violations.throwIfAny();
    }
    const parsed = parseInto(schema, dropNulls(spec), violations);
    if (parsed !== undefined) rules?.(parsed, violations, key);
    violations.throwIfAny();
    return parsed as Spec;
  };
}
