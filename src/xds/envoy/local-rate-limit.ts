import type { DurationValue } from './duration.js';
import { anyOf, type AnyValue, type EnvoyObject } from './encode.js';

const LOCAL_RATE_LIMIT_TYPE = 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
export const LOCAL_RATE_LIMIT_FILTER_NAME = 'envoy.filters.http.local_ratelimit';
const STAT_PREFIX = 'rate_limit';

/**
 * The HCM's local rate limit filter: without a token bucket of its own it limits nothing; each route that
 * should be limited carries its bucket in `typed_per_filter_config` (localRateLimitPerRoute).
 */
export function localRateLimitFilter(): EnvoyObject {
  return { name: LOCAL_RATE_LIMIT_FILTER_NAME, typed_config: anyOf(LOCAL_RATE_LIMIT_TYPE, { stat_prefix: STAT_PREFIX }) };
}

/** One RateLimit's `conf.http`, in Envoy's units. */
export interface RateLimitSettings {
  readonly requests: number;
  readonly interval: DurationValue;
  /** onRateLimit.status: the answer to a limited request (Envoy's default is 429). */
  readonly status?: number;
  /** onRateLimit.headers: added to limited responses; `append` false replaces a header of the same name. */
  readonly headers: readonly { readonly key: string; readonly value: string; readonly append?: boolean }[];
}

const ALWAYS = (runtimeKey: string): EnvoyObject => ({ default_value: { numerator: 100, denominator: 'HUNDRED' }, runtime_key: runtimeKey });

/** The route's token bucket: `requests` per `interval`, enabled and enforced for every request (Kuma 1.2+). */
export function localRateLimitPerRoute(r: RateLimitSettings): AnyValue {
  return anyOf(LOCAL_RATE_LIMIT_TYPE, {
    stat_prefix: STAT_PREFIX,
    ...(r.status !== undefined ? { status: { code: r.status } } : {}),
    token_bucket: { max_tokens: r.requests, tokens_per_fill: { value: r.requests }, fill_interval: r.interval },
    filter_enabled: ALWAYS('local_rate_limit_enabled'),
    filter_enforced: ALWAYS('local_rate_limit_enforced'),
    ...(r.headers.length
      ? {
          response_headers_to_add: r.headers.map((h) => ({
            header: { key: h.key, value: h.value },
            ...(h.append === false ? { append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' } : {}),
          })),
        }
      : {}),
  });
}
