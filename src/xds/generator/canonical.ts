import { createHash } from 'node:crypto';
import { ResourceGroup } from '../cache/resource-group.js';

/**
 * Canonical text of a JSON-like value: object keys sorted, `undefined` members left out (as JSON does), so
 * two parameter objects with the same content give the same text whatever their key order. Memo keys are
 * made from it (issue 8: a builder's key is its whole parameter object, so no input can be left out).
 * A ResourceGroup (encoded resources) stands for its content: its per-type versions, which hash the names
 * and content versions of its resources.
 */
export function canonical(value: unknown): string {
  return new CanonicalKeys().of(value);
}

/**
 * The key by which a value derived from one mesh snapshot stands in the memo keys of `derived()` on that
 * snapshot instead of its whole content (a source's ranks against 10,000 policies stand for themselves by a
 * hash of their content, see snapshotLocal). Only meaningful with the snapshot, so refused in keys that
 * outlive it (`resource()`).
 */
export const SNAPSHOT_KEY = Symbol('snapshotKey');

/** A short stand-in for `canonical(value)`: equal for equal content, distinct otherwise (SHA-256). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonical(value)).digest('base64');
}

/** A value that stands for itself in a snapshot's derived() keys by `[SNAPSHOT_KEY]`. */
export interface SnapshotKeyed {
  readonly [SNAPSHOT_KEY]: string;
}

/**
 * `value`, frozen, standing for itself by the hash of its content in derived() keys of the snapshot it was
 * derived from. Frozen because a spread copy would carry the key along and lose (from the key) what it adds:
 * canonical() refuses a SnapshotKeyed object that is not frozen.
 */
export function snapshotLocal<T extends object>(value: T): Readonly<T> & SnapshotKeyed {
  return Object.freeze({ ...value, [SNAPSHOT_KEY]: contentHash(value) });
}

/** Where a key is used: `portable` keys are compared across snapshots, `snapshot` keys only within one. */
export type KeyScope = 'portable' | 'snapshot';

/**
 * `canonical` with the text of every nested object or array remembered by identity, for one mesh snapshot:
 * a plan, an endpoint list or a policy conf shared by thousands of parameter objects is serialised once.
 * Valid because everything a snapshot's builders are given is immutable for the snapshot's lifetime.
 */
export class CanonicalKeys {
  private readonly texts: Record<KeyScope, WeakMap<object, string>> = { portable: new WeakMap(), snapshot: new WeakMap() };

  /** The canonical text of `value`; SnapshotKeyed values inside it are allowed only in `snapshot` scope. */
  of(value: unknown, scope: KeyScope = 'portable'): string {
    return this.text(value, false, scope);
  }

  private text(value: unknown, nested: boolean, scope: KeyScope): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value !== 'object') {
      if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') throw new TypeError(`canonical: unsupported ${typeof value}`);
      return JSON.stringify(value);
    }
    const texts = this.texts[scope];
    if (nested) {
      const known = texts.get(value);
      if (known !== undefined) return known;
    }
    let out: string;
    if (SNAPSHOT_KEY in value) {
      if (scope === 'portable') throw new TypeError('canonical: a snapshot-local value in a key that outlives the snapshot');
      if (!Object.isFrozen(value)) throw new TypeError('canonical: a snapshot-local value that is not frozen (a spread copy?)');
      out = `local(${JSON.stringify((value as SnapshotKeyed)[SNAPSHOT_KEY])})`;
    } else if (Array.isArray(value)) out = `[${value.map((v: unknown) => this.text(v, true, scope)).join(',')}]`;
    else if (value instanceof ResourceGroup) out = groupText(value);
    else if (value instanceof Map || value instanceof Set) throw new TypeError('canonical: Map/Set are not JSON values');
    else {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      out = `{${keys.map((k) => `${JSON.stringify(k)}:${this.text(obj[k], true, scope)}`).join(',')}}`;
    }
    if (nested) texts.set(value, out);
    return out;
  }
}

function groupText(group: ResourceGroup): string {
  const types = [...group.types()].sort();
  return `group(${types.map((t) => `${JSON.stringify(t)}:${JSON.stringify(group.version(t) ?? '')}`).join(',')})`;
}
