import { describe, expect, it } from 'vitest';
import { bandwidthKbps, fractionalPercent } from './fault.js';

describe('fault injection units', () => {
  it('turns a percentage into the coarsest exact FractionalPercent', () => {
    expect(fractionalPercent(50)).toEqual({ numerator: 50, denominator: 'HUNDRED' });
    expect(fractionalPercent(0)).toEqual({ numerator: 0, denominator: 'HUNDRED' });
    expect(fractionalPercent(50.5)).toEqual({ numerator: 5050, denominator: 'TEN_THOUSAND' });
    expect(fractionalPercent(12.3456)).toEqual({ numerator: 123456, denominator: 'MILLION' });
    expect(fractionalPercent(0.07)).toEqual({ numerator: 700, denominator: 'MILLION' });
  });

  it('turns a bandwidth into kbps', () => {
    expect(bandwidthKbps('500kbps')).toBe(500);
    expect(bandwidthKbps('5 mbps')).toBe(5000);
    expect(bandwidthKbps('1gbps')).toBe(1_000_000);
    expect(bandwidthKbps('fast')).toBeUndefined();
  });
});
