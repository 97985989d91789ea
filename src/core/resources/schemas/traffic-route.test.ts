import { describe, expect, it } from 'vitest';
import { validateTrafficRoute } from './traffic-route.js';
import { violationsOf } from './violations-of.js';

const all = [{ match: { 'kuma.io/service': '*' } }];

describe('TrafficRoute', () => {
  it('accepts the default route-all (1.1 split and 1.2 destination forms)', () => {
    const split = { sources: all, destinations: all, conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }], loadBalancer: { roundRobin: {} } } };
    expect(validateTrafficRoute(split, { name: 'route-all-default', mesh: 'default' })).toEqual(split);
    const dest = { sources: all, destinations: all, conf: { destination: { 'kuma.io/service': '*' } } };
    expect(violationsOf(validateTrafficRoute, dest)).toEqual([]);
  });

  it('accepts a Kuma docs canary split with a ring hash balancer', () => {
    const spec = {
      sources: [{ match: { 'kuma.io/service': 'frontend' } }],
      destinations: [{ match: { 'kuma.io/service': 'backend' } }],
      conf: {
        split: [
          { weight: 90, destination: { 'kuma.io/service': 'backend', version: '1.0' } },
          { weight: 10, destination: { 'kuma.io/service': 'backend', version: '2.0' } },
        ],
        loadBalancer: { ringHash: { hashFunction: 'MURMUR_HASH_2', minRingSize: 64, maxRingSize: 1024 } },
      },
    };
    expect(validateTrafficRoute(spec, { name: 'canary', mesh: 'default' })).toEqual(spec);
  });

  it('reports sources, destinations and conf problems together', () => {
    const spec = {
      sources: [],
      destinations: [{ match: { version: 'v1' } }],
      conf: { split: [{ weight: 0, destination: { version: 'v2' } }] },
    };
    expect(violationsOf(validateTrafficRoute, spec)).toEqual([
      { field: 'sources', message: 'must have at least one element' },
      { field: 'destinations[0].match', message: 'must consist of exactly one tag "kuma.io/service"' },
      { field: 'destinations[0].match["version"]', message: 'tag "version" is not allowed' },
      { field: 'destinations[0].match', message: 'mandatory tag "kuma.io/service" is missing' },
      { field: 'conf.split[0].destination', message: 'mandatory tag "kuma.io/service" is missing' },
      { field: 'conf.split', message: 'there must be at least one split entry with weight above 0' },
    ]);
  });

  it('requires conf with split or destination', () => {
    expect(violationsOf(validateTrafficRoute, { sources: all, destinations: all })).toEqual([{ field: 'conf', message: 'cannot be empty' }]);
    expect(violationsOf(validateTrafficRoute, { sources: all, destinations: all, conf: {} })).toEqual([
      { field: 'conf', message: 'requires either "destination" or "split"' },
    ]);
    expect(violationsOf(validateTrafficRoute, { sources: all, destinations: all, conf: { split: [], destination: { 'kuma.io/service': 'a' } } })).toEqual([
      { field: 'conf', message: '"split" cannot be defined at the same time as "destination"' },
      { field: 'conf.split', message: 'must have at least one element' },
    ]);
  });

  it('types split weights', () => {
    const spec = { sources: all, destinations: all, conf: { split: [{ destination: { 'kuma.io/service': 'a' } }, { weight: -1, destination: {} }, { weight: 1.5 }] } };
    expect(violationsOf(validateTrafficRoute, spec)).toEqual([
      { field: 'conf.split[0].weight', message: 'needs to be defined' },
      { field: 'conf.split[1].weight', message: 'must be a non-negative integer' },
      { field: 'conf.split[2].weight', message: 'must be a non-negative integer' },
    ]);
  });

  it('refuses weights and weight sums that overflow uint32', () => {
    const split = (...weights: number[]) => ({
      sources: all,
      destinations: all,
      conf: { split: weights.map((weight, i) => ({ weight, destination: { 'kuma.io/service': 'backend', version: `v${i}` } })) },
    });
    expect(violationsOf(validateTrafficRoute, split(4294967295, 4294967295))).toEqual([
      { field: 'conf.split', message: 'the sum of the weights must be at most 4294967295' },
    ]);
    expect(violationsOf(validateTrafficRoute, split(4294967296))).toEqual([{ field: 'conf.split[0].weight', message: 'must be at most 4294967295' }]);
    expect(violationsOf(validateTrafficRoute, split(4294967294, 1))).toEqual([]);
  });

  it('checks the load balancer one-of', () => {
    const conf = (loadBalancer: unknown) => ({ sources: all, destinations: all, conf: { destination: { 'kuma.io/service': 'a' }, loadBalancer } });
    expect(violationsOf(validateTrafficRoute, conf({ roundRobin: {}, random: {} }))).toEqual([
      { field: 'conf.loadBalancer', message: 'must have exactly one of: roundRobin, leastRequest, ringHash, random, maglev' },
    ]);
    expect(violationsOf(validateTrafficRoute, conf({ leastRequest: { choiceCount: 1 } }))).toEqual([
      { field: 'conf.loadBalancer.leastRequest.choiceCount', message: 'value must be greater than or equal to 2' },
    ]);
    expect(violationsOf(validateTrafficRoute, conf({ ringHash: { minRingSize: 10, maxRingSize: 5 } }))).toEqual([
      { field: 'conf.loadBalancer.ringHash.hashFunction', message: 'must have a valid hash function' },
      { field: 'conf.loadBalancer.ringHash.minRingSize', message: 'has to be less than or equal to maxRingSize' },
    ]);
    expect(violationsOf(validateTrafficRoute, conf({ ringHash: { hashFunction: 'MD5' } }))).toEqual([
      { field: 'conf.loadBalancer.ringHash.hashFunction', message: 'must have a valid hash function' },
    ]);
  });
});
