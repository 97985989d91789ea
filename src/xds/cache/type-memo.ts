/**
 * Values computed once per (object, type URL), kept as long as the object lives (a WeakMap of per-type Maps).
 * A resource group's answers about another group or a subscription's name set are the same for every proxy
 * that asks (all sidecars of a mesh moving between the same two shared groups), so each is computed once.
 * `compute` is given once, at construction: an answer from the memo allocates nothing. Values are never
 * undefined, so a stored `false` or empty list is an answer too.
 */
export class TypeMemo<K extends object, V extends NonNullable<unknown>> {
  private readonly byKey = new WeakMap<K, Map<string, V>>();

  constructor(private readonly compute: (key: K, typeUrl: string) => V) {}

  get(key: K, typeUrl: string): V {
    let byType = this.byKey.get(key);
    if (!byType) this.byKey.set(key, (byType = new Map<string, V>()));
    let value = byType.get(typeUrl);
    if (value === undefined) {
      value = this.compute(key, typeUrl);
      byType.set(typeUrl, value);
    }
    return value;
  }
}
