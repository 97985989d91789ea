import { describe, expect, it } from 'vitest';
import { validateCircuitBreaker } from './circuit-breaker.js';
import { violationsOf } from './violations-of.js';

const selectors = { sources: [{ match: { 'kuma.io/service': 'web' } }], destinations: [{ match: { 'kuma.io/service': 'backend' } }] };

describe('CircuitBreaker', () => {
  it('accepts the Kuma docs circuit breaker', () => {
    const spec = {
      ...selectors,
      conf: {
        interval: '5s',
        baseEjectionTime: '30s',
        maxEjectionPercent: 20,
        splitExternalAndLocalErrors: false,
        thresholds: { maxConnections: 2, maxPendingRequests: 2, maxRequests: 2, maxRetries: 2 },
        detectors: {
          totalErrors: { consecutive: 20 },
          gatewayErrors: { consecutive: 10 },
          localErrors: { consecutive: 7 },
          standardDeviation: { requestVolume: 10, minimumHosts: 5, factor: 1.9 },
          failure: { requestVolume: 10, minimumHosts: 5, threshold: 85 },
        },
      },
    };
    expect(validateCircuitBreaker(spec, { name: 'cb', mesh: 'default' })).toEqual(spec);
  });

  it('needs a detector or a threshold', () => {
    expect(violationsOf(validateCircuitBreaker, { ...selectors, conf: { interval: '5s' } })).toEqual([
      { field: 'conf', message: 'must have at least one of the detector or threshold configured' },
    ]);
    expect(violationsOf(validateCircuitBreaker, { ...selectors, conf: { detectors: {}, thresholds: { maxRetries: 1 } } })).toEqual([
      { field: 'conf.detectors', message: "can't be empty" },
    ]);
  });

  it('checks percentages', () => {
    const spec = { ...selectors, conf: { maxEjectionPercent: 120, detectors: { failure: { threshold: 101 } } } };
    expect(violationsOf(validateCircuitBreaker, spec)).toEqual([
      { field: 'conf.maxEjectionPercent', message: 'has to be in [0.0 - 100.0] range' },
      { field: 'conf.detectors.failure.threshold', message: 'has to be in [0.0 - 100.0] range' },
    ]);
  });
});
