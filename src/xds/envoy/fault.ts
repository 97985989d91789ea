import type { Selector } from '../../core/resources/specs.js';
import type { DurationValue } from './duration.js';
import { anyOf, type EnvoyObject } from './encode.js';
import { sourcesHeaderMatcher } from './kuma-tags.js';

const FAULT_TYPE = 'envoy.extensions.filters.http.fault.v3.HTTPFault';
export const FAULT_FILTER_NAME = 'envoy.filters.http.fault';

/** What one FaultInjection asks for, already in Envoy's units. */
export interface FaultSettings {
  /** The policy's `sources`: the fault applies only to requests whose `x-kuma-tags` match one of them. */
  readonly sources: readonly Selector[];
  readonly delay?: { readonly value: DurationValue; readonly percentage: number };
  readonly abort?: { readonly httpStatus: number; readonly percentage: number };
  readonly responseBandwidth?: { readonly limitKbps: number; readonly percentage: number };
}

/**
 * A percentage (0-100, fractions allowed) as type.v3.FractionalPercent, Kuma's way: whole numbers per
 * HUNDRED, four decimals per TEN_THOUSAND, anything finer per MILLION (rounded).
 */
export function fractionalPercent(percentage: number): EnvoyObject {
  if (Number.isInteger(percentage)) return { numerator: percentage, denominator: 'HUNDRED' };
  const perTenThousand = percentage * 100;
  if (Number.isInteger(perTenThousand)) return { numerator: perTenThousand, denominator: 'TEN_THOUSAND' };
  return { numerator: Math.round(percentage * 10_000), denominator: 'MILLION' };
}

const BANDWIDTH = /^(\d+)\s?([kmg])bps$/;
const KBPS_PER_UNIT: Readonly<Record<string, number>> = { k: 1, m: 1_000, g: 1_000_000 };

/** `500kbps`, `5 mbps`, `1gbps` -> kilobits per second; undefined when not in that form. */
export function bandwidthKbps(limit: string): number | undefined {
  const m = BANDWIDTH.exec(limit);
  if (!m) return undefined;
  return Number(m[1]) * (KBPS_PER_UNIT[m[2] ?? ''] ?? 0);
}

/** `envoy.filters.http.fault` for one FaultInjection (Kuma's FaultInjectionConfigurer). */
export function faultFilter(f: FaultSettings): EnvoyObject {
  const config: EnvoyObject = {
    ...(f.delay ? { delay: { fixed_delay: f.delay.value, percentage: fractionalPercent(f.delay.percentage) } } : {}),
    ...(f.abort ? { abort: { http_status: f.abort.httpStatus, percentage: fractionalPercent(f.abort.percentage) } } : {}),
    headers: [sourcesHeaderMatcher(f.sources)],
    ...(f.responseBandwidth
      ? { response_rate_limit: { fixed_limit: { limit_kbps: f.responseBandwidth.limitKbps }, percentage: fractionalPercent(f.responseBandwidth.percentage) } }
      : {}),
  };
  return { name: FAULT_FILTER_NAME, typed_config: anyOf(FAULT_TYPE, config) };
}
