import { NameBudget } from './name-budget.js';

export interface DeltaChange {
  /** Names newly subscribed in this request (not `*`). */
  readonly subscribed: readonly string[];
  /** Names unsubscribed in this request that were subscribed (phantom unsubscribes are dropped). */
  readonly unsubscribed: readonly string[];
}

/**
 * What a delta subscriber asked for, for one type. `*` in subscribe/unsubscribe toggles wildcard; an empty
 * subscribe list on the first request is the legacy wildcard (envoyproxy/envoy#21416).
 */
export class DeltaSubscription {
  private wildcardFlag = false;
  /** Replaced, never modified, once handed out: caches keyed by the set (ProxySnapshot.coveredBy) stay true. */
  private nameSet = new Set<string>();
  private first = true;

  /** `budget` is the stream's: the names of every type it subscribes to count against one limit. */
  constructor(private readonly budget: NameBudget) {}

  get wildcard(): boolean {
    return this.wildcardFlag;
  }

  get names(): ReadonlySet<string> {
    return this.nameSet;
  }

  apply(subscribe: readonly string[], unsubscribe: readonly string[]): DeltaChange {
    let added = 0;
    for (const n of new Set(subscribe)) if (n !== '*' && !this.nameSet.has(n)) added += NameBudget.cost(n);
    this.budget.adjust(added);
    if (this.first && subscribe.length === 0) this.wildcardFlag = true;
    this.first = false;
    const subscribed: string[] = [];
    const unsubscribed: string[] = [];
    if (subscribe.length > 0 || unsubscribe.length > 0) this.nameSet = new Set(this.nameSet);
    for (const n of subscribe) {
      if (n === '*') this.wildcardFlag = true;
      else {
        this.nameSet.add(n);
        subscribed.push(n);
      }
    }
    for (const n of unsubscribe) {
      if (n === '*') this.wildcardFlag = false;
      else if (this.nameSet.delete(n)) {
        unsubscribed.push(n);
        this.budget.adjust(-n.length);
      }
    }
    return { subscribed, unsubscribed };
  }
}
