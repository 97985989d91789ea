import { ValidationError, type Violation } from '../../errors.js';
import type { FieldPath } from './path.js';

/** Collects every violation of a validation pass; throws them together. */
export class Violations {
  private readonly list: Violation[] = [];

  add(path: FieldPath | string, message: string): void {
    this.list.push({ field: path.toString(), message });
  }

  addAll(violations: readonly Violation[]): void {
    this.list.push(...violations);
  }

  get items(): readonly Violation[] {
    return this.list;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError([...this.list]);
  }
}
