import { NameBudget } from './name-budget.js';
import type { NameSets } from './name-sets.js';

/**
 * What a state-of-the-world subscriber asked for, for one type. Wildcard is explicit state:
 * `*` means wildcard; an empty list means wildcard only while the stream never named anything
 * (legacy rule); after that an empty list unsubscribes from everything.
 */
export class SotwSubscription {
  private wildcardFlag = false;
  private nameSet: ReadonlySet<string> = new Set();
  private namedBefore = false;
  private nameBytes = 0;

  /**
   * `budget` is the stream's: the names of every type it subscribes to count against one limit (shared sets
   * included: the bound is on what one peer may ask for). `shared`: the dp-server's sets, so streams asking
   * for the same names hold one set.
   */
  constructor(
    private readonly budget: NameBudget,
    private readonly shared?: NameSets,
  ) {}

  get wildcard(): boolean {
    return this.wildcardFlag;
  }

  get names(): ReadonlySet<string> {
    return this.nameSet;
  }

  /** Applies `resource_names` of a request; true if the subscription changed. */
  update(resourceNames: readonly string[]): boolean {
    const wildcard = resourceNames.includes('*') || (resourceNames.length === 0 && !this.namedBefore);
    if (resourceNames.length > 0) this.namedBefore = true;
    // Every SotW ACK repeats the whole list (an Envoy's EDS names every cluster): an unchanged list keeps
    // the current set, without building a new one per ACK.
    if (wildcard === this.wildcardFlag && sameNames(resourceNames, this.nameSet)) return false;
    const explicit = resourceNames.filter((n) => n !== '*');
    const explicitNames = this.shared ? this.shared.intern(explicit) : new Set(explicit);
    let bytes = 0;
    for (const n of explicitNames) bytes += NameBudget.cost(n);
    this.budget.adjust(bytes - this.nameBytes);
    this.nameBytes = bytes;
    const changed = wildcard !== this.wildcardFlag || !sameSet(explicitNames, this.nameSet);
    this.wildcardFlag = wildcard;
    this.nameSet = explicitNames;
    return changed;
  }
}

export function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** True when `names` (ignoring `*`, duplicates allowed) are exactly the members of `set`. */
function sameNames(names: readonly string[], set: ReadonlySet<string>): boolean {
  let explicit = 0;
  for (const n of names) {
    if (n === '*') continue;
    if (!set.has(n)) return false;
    explicit++;
  }
  // Every name is in the set; with no duplicates, as many names as members is the same set.
  if (explicit === set.size) return true;
  return explicit > set.size && new Set(names.filter((n) => n !== '*')).size === set.size;
}
