import type { Resource } from '../../core/resources/model.js';
import type { ConnectionPolicySpec, DataplaneSpec, Selector, Tags } from '../../core/resources/specs.js';

/** How specifically a selector matched: tags matched by exact value and by `*`. */
export interface Rank {
  readonly exact: number;
  readonly wildcard: number;
}

const MATCH_ALL = '*';

/** Kuma's TagSelector.Matches: every selector tag must be present, with the same value or `*`. */
export function selectorRank(selector: Tags, tags: Tags): Rank | undefined {
  let exact = 0;
  let wildcard = 0;
  for (const [key, value] of Object.entries(selector)) {
    const actual = tags[key];
    if (actual === undefined) return undefined;
    if (value === MATCH_ALL) wildcard++;
    else if (value === actual) exact++;
    else return undefined;
  }
  return { exact, wildcard };
}

/** More matched tags wins, then more exact matches. */
export function compareRanks(a: Rank, b: Rank): number {
  return a.exact + a.wildcard - (b.exact + b.wildcard) || a.exact - b.exact;
}

/** The best rank of any selector against any of the tag sets (a Dataplane has one per inbound). */
export function bestRank(selectors: readonly Selector[] | undefined, tagSets: readonly Tags[]): Rank | undefined {
  let best: Rank | undefined;
  for (const selector of selectors ?? []) {
    for (const tags of tagSets) {
      const rank = selectorRank(selector.match, tags);
      if (rank && (!best || compareRanks(rank, best) > 0)) best = rank;
    }
  }
  return best;
}

type ConnectionPolicy = Resource<ConnectionPolicySpec<unknown>>;

/**
 * The one policy of a type that applies to a connection from a proxy with `sourceTags` (one set per
 * inbound, and the gateway tags: see proxyTagSets) to a destination with `destinationTags`: Kuma's ranking, i.e. the best
 * source rank plus the best destination rank, more matched tags first, then more exact ones, then the
 * policy created later; full ties go to the name that sorts first.
 */
export function matchConnectionPolicy<P extends ConnectionPolicy>(
  policies: readonly P[],
  sourceTags: readonly Tags[],
  destinationTags: Tags,
): P | undefined {
  return matchRankedConnectionPolicy(policies, sourceRanks(policies, sourceTags), destinationTags);
}

/**
 * How the policies of a list match one source: `ranks[i]` for `policies[i]`, present only for the policies
 * that match it. Everything policy matching reads of a source: two sources with equal ranks get the same
 * policies. Sparse because ranks are part of memo keys: a mesh of 10,000 TrafficRoutes, of which a proxy
 * matches a few, must not put 10,000 entries into every key of that proxy.
 */
export type SourceRanks = Readonly<Record<number, Rank>>;

/** The ranks of `policies`' `sources` (or `selectors`, for policies that select whole proxies) against `tagSets`. */
export function sourceRanks(policies: readonly Resource<{ readonly sources?: readonly Selector[]; readonly selectors?: readonly Selector[] }>[], tagSets: readonly Tags[]): SourceRanks {
  const ranks: Record<number, Rank> = {};
  policies.forEach((policy, i) => {
    const rank = bestRank(policy.spec.sources ?? policy.spec.selectors, tagSets);
    if (rank) ranks[i] = rank;
  });
  return ranks;
}

/** matchConnectionPolicy for a source given by its ranks (`ranks[i]`: how `policies[i]` matches it). */
export function matchRankedConnectionPolicy<P extends ConnectionPolicy>(policies: readonly P[], ranks: SourceRanks, destinationTags: Tags): P | undefined {
  let best: { policy: P; rank: Rank } | undefined;
  for (let i = 0; i < policies.length; i++) {
    const policy = policies[i];
    const source = ranks[i];
    if (!policy || !source) continue;
    const destination = bestRank(policy.spec.destinations, [destinationTags]);
    if (!destination) continue;
    const rank = { exact: source.exact + destination.exact, wildcard: source.wildcard + destination.wildcard };
    if (!best || isBetter(policy, rank, best.policy, best.rank)) best = { policy, rank };
  }
  return best?.policy;
}

/** For inbound policies only the destination (the inbound's own tags) counts. */
export function matchInboundPolicy<P extends ConnectionPolicy>(policies: readonly P[], inboundTags: Tags): P | undefined {
  let best: { policy: P; rank: Rank } | undefined;
  for (const policy of policies) {
    const rank = bestRank(policy.spec.destinations, [inboundTags]);
    if (rank && (!best || isBetter(policy, rank, best.policy, best.rank))) best = { policy, rank };
  }
  return best?.policy;
}

/**
 * The one policy with `selectors` (ProxyTemplate, TrafficTrace) that applies to a whole proxy with tag sets
 * `tagSets` (proxyTagSets): Kuma's SelectDataplanePolicy, i.e. the best rank of any selector against any
 * tag set, then the policy created later, then the name that sorts first.
 */
export function matchDataplanePolicy<P extends Resource<{ readonly selectors?: readonly Selector[] }>>(policies: readonly P[], tagSets: readonly Tags[]): P | undefined {
  let best: { policy: P; rank: Rank } | undefined;
  for (const policy of policies) {
    const rank = bestRank(policy.spec.selectors, tagSets);
    if (rank && (!best || isBetter(policy, rank, best.policy, best.rank))) best = { policy, rank };
  }
  return best?.policy;
}

function isBetter(candidate: Resource<unknown>, rank: Rank, current: Resource<unknown>, currentRank: Rank): boolean {
  const byRank = compareRanks(rank, currentRank);
  if (byRank !== 0) return byRank > 0;
  const byTime = Date.parse(candidate.meta.creationTime) - Date.parse(current.meta.creationTime);
  if (byTime !== 0) return byTime > 0;
  return candidate.meta.name < current.meta.name;
}

/**
 * A proxy's tag sets: one per inbound, plus its gateway's. Policies' `sources` are matched against them, and
 * its workload certificate is issued for them.
 */
export function proxyTagSets(spec: DataplaneSpec): Tags[] {
  const sets = (spec.networking.inbound ?? []).map((i) => i.tags);
  if (spec.networking.gateway) sets.push(spec.networking.gateway.tags);
  return sets;
}
