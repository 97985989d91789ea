import type { Selector, Tags } from '../../core/resources/specs.js';
import type { EnvoyObject } from './encode.js';

/**
 * Kuma's source identification over HTTP (pkg/xds/envoy/tags): a sidecar's outbound routes add the request
 * header `x-kuma-tags` with the proxy's tags, and the destination's inbound matches policy `sources`
 * against it (fault injection, rate limit), then removes it before the request reaches the application.
 */
export const TAGS_HEADER = 'x-kuma-tags';

/**
 * The header value: every tag of every tag set (a Dataplane's inbounds and gateway), keys sorted, each
 * key's distinct values sorted and comma-joined, each pair wrapped in `&`: `&kuma.io/service=web&&version=v1,v2&`.
 */
export function serializeTags(tagSets: readonly Tags[]): string {
  const values = new Map<string, Set<string>>();
  for (const tags of tagSets) {
    for (const [key, value] of Object.entries(tags)) {
      let set = values.get(key);
      if (!set) values.set(key, (set = new Set()));
      set.add(value);
    }
  }
  return [...values.keys()]
    .sort(byCodeUnit)
    .map((key) => `&${key}=${[...(values.get(key) ?? [])].sort(byCodeUnit).join(',')}&`)
    .join('');
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * An RE2 regex matching the whole header value of a proxy whose tags satisfy `selector` (`*` = the tag is
 * present with any value). Keys are visited sorted, as the header lists them. Unlike Kuma 1.x's
 * `[^&]*value[,&]`, a value must be a whole element of the comma list (`web` does not match `frontweb`).
 */
export function selectorRegex(selector: Tags): string {
  let re = '.*';
  for (const key of Object.keys(selector).sort(byCodeUnit)) {
    const value = selector[key] ?? '';
    re += `&${escape(key)}=${value === '*' ? '' : `(?:[^&]*,)?${escape(value)}[,&]`}.*`;
  }
  return re;
}

/** Any of the selectors (a policy's `sources`). */
export function sourcesRegex(sources: readonly Selector[]): string {
  const parts = sources.map((s) => selectorRegex(s.match));
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join('|')})`;
}

/** route.v3.HeaderMatcher: `x-kuma-tags` matches the sources (absent header = no match). */
export function sourcesHeaderMatcher(sources: readonly Selector[]): EnvoyObject {
  return { name: TAGS_HEADER, safe_regex_match: { google_re2: {}, regex: sourcesRegex(sources) } };
}
