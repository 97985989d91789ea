import type { ResourceOf } from '../../core/resources/typed-resource.js';
import type { CircuitBreakerConf } from '../../core/resources/specs.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { duration } from './policy-conf.js';

/**
 * A CircuitBreaker's `thresholds` as the cluster's circuit breakers (one threshold set, DEFAULT priority),
 * as Kuma 1.x (circuit_breaker_configurer.go). Undefined without thresholds.
 */
export function circuitBreakers(conf: CircuitBreakerConf | undefined): EnvoyObject | undefined {
  const t = conf?.thresholds;
  if (!t) return undefined;
  return {
    thresholds: [
      dropUndefined({
        max_connections: wrap(t.maxConnections),
        max_pending_requests: wrap(t.maxPendingRequests),
        max_requests: wrap(t.maxRequests),
        max_retries: wrap(t.maxRetries),
      }),
    ],
  };
}

/**
 * A CircuitBreaker's detectors as Envoy outlier detection, mapped as Kuma 1.x does
 * (outlier_detection_configurer.go): interval, baseEjectionTime, maxEjectionPercent,
 * splitExternalAndLocalErrors -> split_external_local_origin_errors; totalErrors -> consecutive_5xx,
 * gatewayErrors -> consecutive_gateway_failure, localErrors -> consecutive_local_origin_failure,
 * standardDeviation -> success_rate_* (factor x1000), failure -> failure_percentage_*. A named detector is
 * enforced at 100%, with its local-origin variant (success rate, failure percentage) when errors are split.
 * Unlike Kuma, a detector the policy does not name is switched off together with its local-origin variant
 * (Envoy enforces local-origin success rate at 100% by default once errors are split).
 * Undefined without detectors: the other conf fields only tune detectors.
 */
export function outlierDetection(conf: CircuitBreakerConf | undefined): EnvoyObject | undefined {
  const d = conf?.detectors;
  if (!conf || !d) return undefined;
  const on = (present: unknown): EnvoyObject => ({ value: present ? 100 : 0 });
  const split = conf.splitExternalAndLocalErrors === true;
  const factor = d.standardDeviation?.factor;
  const threshold = d.failure?.threshold;
  return dropUndefined({
    interval: duration(conf.interval),
    base_ejection_time: duration(conf.baseEjectionTime),
    max_ejection_percent: wrap(conf.maxEjectionPercent === undefined ? undefined : Math.min(100, conf.maxEjectionPercent)),
    split_external_local_origin_errors: split ? true : undefined,
    consecutive_5xx: wrap(d.totalErrors?.consecutive),
    enforcing_consecutive_5xx: on(d.totalErrors),
    consecutive_gateway_failure: wrap(d.gatewayErrors?.consecutive),
    enforcing_consecutive_gateway_failure: on(d.gatewayErrors),
    consecutive_local_origin_failure: wrap(d.localErrors?.consecutive),
    enforcing_consecutive_local_origin_failure: on(d.localErrors),
    success_rate_request_volume: wrap(d.standardDeviation?.requestVolume),
    success_rate_minimum_hosts: wrap(d.standardDeviation?.minimumHosts),
    success_rate_stdev_factor: wrap(factor === undefined ? undefined : Math.max(0, Math.round(factor * 1000))),
    enforcing_success_rate: on(d.standardDeviation),
    enforcing_local_origin_success_rate: split ? on(d.standardDeviation) : undefined,
    failure_percentage_request_volume: wrap(d.failure?.requestVolume),
    failure_percentage_minimum_hosts: wrap(d.failure?.minimumHosts),
    failure_percentage_threshold: wrap(threshold === undefined ? undefined : Math.min(100, threshold)),
    enforcing_failure_percentage: on(d.failure),
    enforcing_failure_percentage_local_origin: split ? on(d.failure) : undefined,
  });
}

/**
 * What of the mesh's CircuitBreakers Envoy would silently not apply, one line per policy naming it: the
 * localErrors detector counts only when errors are split (splitExternalAndLocalErrors), and interval,
 * baseEjectionTime, maxEjectionPercent and splitExternalAndLocalErrors only tune detectors.
 */
export function circuitBreakerWarnings(policies: readonly ResourceOf<'CircuitBreaker'>[]): string[] {
  const warnings: string[] = [];
  for (const policy of policies) {
    const conf = policy.spec.conf;
    if (!conf) continue;
    const label = `CircuitBreaker "${policy.meta.name}"`;
    if (!conf.detectors) {
      const tuning = (['interval', 'baseEjectionTime', 'maxEjectionPercent', 'splitExternalAndLocalErrors'] as const).filter((f) => conf[f] !== undefined);
      if (tuning.length) warnings.push(`${label}: ${tuning.join(', ')} ha${tuning.length > 1 ? 've' : 's'} no effect without detectors`);
    } else if (conf.detectors.localErrors && conf.splitExternalAndLocalErrors !== true) {
      warnings.push(`${label}: detectors.localErrors has no effect without splitExternalAndLocalErrors: true (local-origin errors then count as totalErrors)`);
    }
  }
  return warnings;
}

function wrap(v: number | undefined): EnvoyObject | undefined {
  return v === undefined ? undefined : { value: v };
}

function dropUndefined(o: Record<string, unknown>): EnvoyObject {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
