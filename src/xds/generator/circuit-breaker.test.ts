import { describe, expect, it } from 'vitest';
import { asResourceOf, type ResourceOf } from '../../core/resources/typed-resource.js';
import { circuitBreakerWarnings, outlierDetection } from './circuit-breaker.js';

const T = '2021-01-01T00:00:00Z';
const cb = (name: string, conf: Record<string, unknown>): ResourceOf<'CircuitBreaker'> =>
  asResourceOf('CircuitBreaker', { type: 'CircuitBreaker', meta: { name, mesh: 'default', version: 1, creationTime: T, modificationTime: T }, spec: { sources: [], destinations: [], conf } });

describe('circuit breaker mapping', () => {
  it('names the CircuitBreakers whose settings Envoy would not apply, and only those', () => {
    expect(
      circuitBreakerWarnings([
        cb('tuning-only', { interval: '1s', maxEjectionPercent: 10, thresholds: { maxConnections: 1 } }),
        cb('local-unsplit', { detectors: { localErrors: { consecutive: 3 } } }),
        cb('local-split', { splitExternalAndLocalErrors: true, detectors: { localErrors: {} } }),
        cb('thresholds', { thresholds: { maxRequests: 1 } }),
      ]),
    ).toEqual([
      'CircuitBreaker "tuning-only": interval, maxEjectionPercent have no effect without detectors',
      'CircuitBreaker "local-unsplit": detectors.localErrors has no effect without splitExternalAndLocalErrors: true (local-origin errors then count as totalErrors)',
    ]);
  });

  it('keeps the stdev factor a non-negative integer (x1000, rounded)', () => {
    expect(outlierDetection({ detectors: { standardDeviation: { factor: 1.9 } } })?.['success_rate_stdev_factor']).toEqual({ value: 1900 });
    expect(outlierDetection({ detectors: { standardDeviation: { factor: -1 } } })?.['success_rate_stdev_factor']).toEqual({ value: 0 });
  });
});
