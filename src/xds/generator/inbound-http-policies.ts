import type { z } from 'zod';
import type { Resource } from '../../core/resources/model.js';
import type { faultInjectionSchema } from '../../core/resources/schemas/fault-injection.js';
import type { rateLimitSchema } from '../../core/resources/schemas/rate-limit.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataplaneSpec, type Selector, type Tags } from '../../core/resources/specs.js';
import { parseDuration } from '../envoy/duration.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { bandwidthKbps, faultFilter, type FaultSettings } from '../envoy/fault.js';
import type { HeaderRoute } from '../envoy/http.js';
import { sourcesHeaderMatcher } from '../envoy/kuma-tags.js';
import { LOCAL_RATE_LIMIT_FILTER_NAME, localRateLimitFilter, localRateLimitPerRoute, type RateLimitSettings } from '../envoy/local-rate-limit.js';
import { compareRanks, selectorRank, type Rank } from './policy-match.js';
import { isHttp, toProtocol } from './protocol.js';

export type FaultInjectionSpec = z.output<typeof faultInjectionSchema>;
export type RateLimitSpec = z.output<typeof rateLimitSchema>;
export type FaultInjectionPolicy = Resource<FaultInjectionSpec>;
export type RateLimitPolicy = Resource<RateLimitSpec>;

/** One source-matched rate limit route of an inbound (a RateLimit with several sources gives one per source). */
export interface RateLimitRoute {
  readonly sources: readonly Selector[];
  readonly settings: RateLimitSettings;
}

/**
 * What FaultInjection and RateLimit put on one HTTP inbound: a fault filter per FaultInjection and a route
 * per RateLimit source, most specific source first (Kuma 1.4+). Plain data: part of the inbound
 * listener's memo key.
 */
export interface InboundHttpPolicies {
  readonly faults: readonly FaultSettings[];
  readonly rateLimits: readonly RateLimitRoute[];
}

/** A selector's own specificity (Kuma's TagSelector.Rank: its exact and `*` tags). */
function ownRank(selector: Selector): Rank {
  return selectorRank(selector.match, selector.match) ?? { exact: 0, wildcard: 0 };
}

function selects(destinations: readonly Selector[], tags: Tags): boolean {
  return destinations.some((d) => selectorRank(d.match, tags) !== undefined);
}

/** Kuma's ConnectionPolicyBySourceRank over policies sorted by name: more specific first, then created later first. */
function bySourceRank<T extends { readonly rank: Rank; readonly policy: Resource<unknown> }>(entries: T[]): T[] {
  return entries
    .sort((a, b) => (a.policy.meta.name < b.policy.meta.name ? -1 : a.policy.meta.name > b.policy.meta.name ? 1 : 0))
    .sort((a, b) => compareRanks(b.rank, a.rank) || Date.parse(b.policy.meta.creationTime) - Date.parse(a.policy.meta.creationTime));
}

function faultSettings(spec: FaultInjectionSpec): FaultSettings | undefined {
  const { delay, abort, responseBandwidth } = spec.conf ?? {};
  const delayValue = delay?.value !== undefined ? parseDuration(delay.value) : undefined;
  const kbps = responseBandwidth?.limit !== undefined ? bandwidthKbps(responseBandwidth.limit) : undefined;
  // The validator refuses what Envoy would NACK (zero delay or bandwidth, status outside 200-599); a part
  // stored before that check is left out rather than breaking the whole listener.
  const settings: FaultSettings = {
    sources: spec.sources,
    ...(delayValue && (delayValue.seconds > 0 || (delayValue.nanos ?? 0) > 0) && delay?.percentage !== undefined
      ? { delay: { value: delayValue, percentage: delay.percentage } }
      : {}),
    ...(abort?.httpStatus !== undefined && abort.httpStatus >= 200 && abort.httpStatus < 600 && abort.percentage !== undefined
      ? { abort: { httpStatus: abort.httpStatus, percentage: abort.percentage } }
      : {}),
    ...(kbps && responseBandwidth?.percentage !== undefined ? { responseBandwidth: { limitKbps: kbps, percentage: responseBandwidth.percentage } } : {}),
  };
  return settings.delay || settings.abort || settings.responseBandwidth ? settings : undefined;
}

function rateLimitSettings(spec: RateLimitSpec): RateLimitSettings | undefined {
  const http = spec.conf?.http;
  const interval = http?.interval !== undefined ? parseDuration(http.interval) : undefined;
  if (!http?.requests || !interval) return undefined;
  const status = http.onRateLimit?.status;
  return {
    requests: http.requests,
    interval,
    ...(status !== undefined ? { status } : {}),
    headers: (http.onRateLimit?.headers ?? []).map((h) => ({ key: h.key, value: h.value, ...(h.append !== undefined ? { append: h.append } : {}) })),
  };
}

/**
 * The FaultInjections and RateLimits whose `destinations` select an HTTP inbound with `inboundTags`, as
 * Envoy settings; null when none does (or the inbound is not HTTP: see inboundPolicyNoEffect).
 */
export function inboundHttpPolicies(faultInjections: readonly FaultInjectionPolicy[], rateLimits: readonly RateLimitPolicy[], inboundTags: Tags): InboundHttpPolicies | null {
  if (!isHttp(toProtocol(inboundTags[PROTOCOL_TAG]))) return null;
  const faults = bySourceRank(
    faultInjections
      .filter((p) => selects(p.spec.destinations, inboundTags))
      .flatMap((policy) => {
        const settings = faultSettings(policy.spec);
        const first = policy.spec.sources[0];
        return settings && first ? [{ policy, rank: ownRank(first), settings }] : [];
      }),
  ).map((e) => e.settings);
  const routes = bySourceRank(
    rateLimits
      .filter((p) => selects(p.spec.destinations, inboundTags))
      .flatMap((policy) => {
        const settings = rateLimitSettings(policy.spec);
        return settings ? policy.spec.sources.map((source) => ({ policy, rank: ownRank(source), route: { sources: [source], settings } })) : [];
      }),
  ).map((e) => e.route);
  return faults.length || routes.length ? { faults, rateLimits: routes } : null;
}

/** The inbound HCM's filters before the router: fault filters, then the local rate limit filter (Kuma's order). */
export function inboundHttpFilters(p: InboundHttpPolicies | null): EnvoyObject[] {
  if (!p) return [];
  return [...p.faults.map(faultFilter), ...(p.rateLimits.length ? [localRateLimitFilter()] : [])];
}

/** The inbound route configuration's rate-limited routes, tried before the catch-all route to the local cluster. */
export function inboundRateLimitRoutes(p: InboundHttpPolicies | null, action: EnvoyObject): HeaderRoute[] {
  return (p?.rateLimits ?? []).map((r) => ({
    headers: [sourcesHeaderMatcher(r.sources)],
    action,
    typedPerFilterConfig: { [LOCAL_RATE_LIMIT_FILTER_NAME]: localRateLimitPerRoute(r.settings) },
  }));
}

/**
 * Services with an HTTP endpoint (a Dataplane inbound, or a remote zone's) that a FaultInjection or
 * RateLimit selects: requests to them need `x-kuma-tags` for the policies' sources to be matched.
 */
export function tagsHeaderServices(
  endpoints: ReadonlyMap<string, readonly { readonly tags: Tags }[]>,
  faultInjections: readonly FaultInjectionPolicy[],
  rateLimits: readonly RateLimitPolicy[],
): ReadonlySet<string> {
  const destinations = [...faultInjections, ...rateLimits].flatMap((p) => p.spec.destinations);
  const services = new Set<string>();
  if (destinations.length === 0) return services;
  for (const [service, list] of endpoints) {
    if (list.some((e) => isHttp(toProtocol(e.tags[PROTOCOL_TAG])) && selects(destinations, e.tags))) services.add(service);
  }
  return services;
}

const withoutProtocol = (tags: Tags): Tags => Object.fromEntries(Object.entries(tags).filter(([k]) => k !== PROTOCOL_TAG));

/**
 * Why a FaultInjection or RateLimit that selects this inbound does nothing to it, or undefined when it
 * applies (or does not select it). Both act on HTTP requests only (Kuma 1.x has no TCP rate limit or
 * fault); a FaultInjection's destinations name an HTTP protocol, so it counts as selecting a TCP inbound
 * when its selector matches every other tag.
 */
export function inboundPolicyNoEffect(type: 'FaultInjection' | 'RateLimit', destinations: readonly Selector[], inboundTags: Tags): string | undefined {
  const protocol = toProtocol(inboundTags[PROTOCOL_TAG]);
  if (isHttp(protocol)) return undefined;
  const selected = type === 'RateLimit' ? selects(destinations, inboundTags) : destinations.some((d) => selectorRank(withoutProtocol(d.match), inboundTags) !== undefined);
  if (!selected) return undefined;
  const what = type === 'RateLimit' ? 'rate limits' : 'faults';
  return `the inbound of ${inboundTags[SERVICE_TAG] ?? '?'} speaks ${inboundTags[PROTOCOL_TAG] ?? 'tcp (no kuma.io/protocol tag)'}, and ${type} ${what} HTTP requests only`;
}

/** One FaultInjection or RateLimit that has no effect on one inbound of one Dataplane. */
export interface NoEffectNote {
  readonly type: 'FaultInjection' | 'RateLimit';
  readonly policy: string;
  readonly dataplane: string;
  readonly inbound: string;
  readonly reason: string;
}

/** Every such note for the Dataplanes of a mesh (sorted by data plane, inbound, type, policy). */
export function noEffectNotes(
  dataplanes: Iterable<Resource<DataplaneSpec>>,
  faultInjections: readonly FaultInjectionPolicy[],
  rateLimits: readonly RateLimitPolicy[],
): NoEffectNote[] {
  const notes: NoEffectNote[] = [];
  if (faultInjections.length === 0 && rateLimits.length === 0) return notes;
  const lists = [
    ['FaultInjection', faultInjections],
    ['RateLimit', rateLimits],
  ] as const;
  for (const dp of dataplanes) {
    const net = dp.spec.networking;
    if (net.ingress || net.gateway) continue;
    for (const inbound of net.inbound ?? []) {
      const name = `inbound:${inbound.address ?? net.address}:${inbound.port}`;
      for (const [type, list] of lists) {
        for (const p of list) {
          const reason = inboundPolicyNoEffect(type, p.spec.destinations, inbound.tags);
          if (reason) notes.push({ type, policy: p.meta.name, dataplane: dp.meta.name, inbound: name, reason });
        }
      }
    }
  }
  return notes;
}

export const noteKey = (n: NoEffectNote): string => `${n.type}\n${n.policy}\n${n.dataplane}\n${n.inbound}`;
