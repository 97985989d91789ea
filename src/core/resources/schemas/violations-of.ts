import { ValidationError, type Violation } from '../../errors.js';
import type { ResourceKey } from '../model.js';
import type { SpecValidator } from './define.js';

/** Runs a validator and returns its violations ([] when the spec is valid). For tests and tools. */
export function violationsOf(validate: SpecValidator, spec: unknown, key: ResourceKey = { name: 'x', mesh: 'default' }): readonly Violation[] {
  try {
    validate(spec, key);
    return [];
  } catch (err) {
    if (err instanceof ValidationError) return err.violations;
    throw err;
  }
}
