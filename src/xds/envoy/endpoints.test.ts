import { describe, expect, it } from 'vitest';
import { clusterLoadAssignment, type LocalityGroup } from './endpoints.js';

type Cla = { endpoints: { load_balancing_weight: { value: number }; lb_endpoints: { load_balancing_weight: { value: number } }[] }[] };

function weights(groups: LocalityGroup[]): { locality: number[]; endpoints: number[][] } {
  const cla = clusterLoadAssignment('backend', groups) as unknown as Cla;
  return {
    locality: cla.endpoints.map((l) => l.load_balancing_weight.value),
    endpoints: cla.endpoints.map((l) => l.lb_endpoints.map((e) => e.load_balancing_weight.value)),
  };
}

const ep = (address: string, weight: number) => ({ address, port: 10001, weight, tags: {} });

describe('clusterLoadAssignment weights', () => {
  it('keeps weights whose sums fit in uint32 as they are', () => {
    expect(weights([{ zone: 'z1', priority: 0, endpoints: [ep('10.0.0.1', 3), ep('10.0.0.2', 1)] }])).toEqual({ locality: [4], endpoints: [[3, 1]] });
  });

  it('scales weights down when two ingresses of 4294967295 instances would overflow the uint32 sum', () => {
    const max = 4294967295;
    const w = weights([
      { zone: 'z1', priority: 0, endpoints: [ep('10.0.0.1', max), ep('10.0.0.2', max)] },
      { zone: 'z2', priority: 0, endpoints: [ep('10.0.1.1', 1)] },
    ]);
    const total = w.locality.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(max);
    expect(w.endpoints[0]?.[0]).toBe(w.endpoints[0]?.[1]);
    expect(w.endpoints[1]).toEqual([1]);
    expect(w.locality[0]).toBe((w.endpoints[0]?.[0] ?? 0) * 2);
  });
});
