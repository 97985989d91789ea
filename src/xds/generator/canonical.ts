/**
 * A canonical text of a JSON-like value: object keys sorted, `undefined` members left out (as JSON does),
 * so two parameter objects with the same content give the same text whatever their key order. Memo keys
 * are made from it (issue 8: a builder's key is its whole parameter object, so no input can be left out).
 */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') throw new TypeError(`canonical: unsupported ${typeof value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Map || value instanceof Set) throw new TypeError('canonical: Map/Set are not JSON values');
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
}
