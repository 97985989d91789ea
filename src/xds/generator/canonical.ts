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
 * `canonical` with the text of every nested object or array remembered by identity, for one mesh snapshot:
 * a plan, an endpoint list or a policy conf shared by thousands of parameter objects is serialised once.
 * Valid because everything a snapshot's builders are given is immutable for the snapshot's lifetime.
 */
export class CanonicalKeys {
  private readonly texts = new WeakMap<object, string>();

  of(value: unknown): string {
    return this.text(value, false);
  }

  private text(value: unknown, nested: boolean): string {
    if (value === null || value === undefined) return 'null';
    if (typeof value !== 'object') {
      if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') throw new TypeError(`canonical: unsupported ${typeof value}`);
      return JSON.stringify(value);
    }
    if (nested) {
      const known = this.texts.get(value);
      if (known !== undefined) return known;
    }
    let out: string;
    if (Array.isArray(value)) out = `[${value.map((v: unknown) => this.text(v, true)).join(',')}]`;
    else if (value instanceof ResourceGroup) out = groupText(value);
    else if (value instanceof Map || value instanceof Set) throw new TypeError('canonical: Map/Set are not JSON values');
    else {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      out = `{${keys.map((k) => `${JSON.stringify(k)}:${this.text(obj[k], true)}`).join(',')}}`;
    }
    if (nested) this.texts.set(value, out);
    return out;
  }
}

function groupText(group: ResourceGroup): string {
  const types = [...group.types()].sort();
  return `group(${types.map((t) => `${JSON.stringify(t)}:${JSON.stringify(group.version(t) ?? '')}`).join(',')})`;
}
