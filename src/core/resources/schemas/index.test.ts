import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import type { ResourceTypeName } from '../model.js';
import { resourceTypes } from '../registry.js';
import { specValidators } from './index.js';

const all = [{ match: { 'kuma.io/service': '*' } }];

/** The smallest spec of each type that Kuma accepts. */
const minimal: Record<ResourceTypeName, unknown> = {
  Mesh: {},
  Dataplane: { networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } },
  ExternalService: { networking: { address: 'httpbin.org:80' }, tags: { 'kuma.io/service': 'httpbin' } },
  TrafficPermission: { sources: all, destinations: all },
  TrafficRoute: { sources: all, destinations: all, conf: { destination: { 'kuma.io/service': '*' } } },
  HealthCheck: { sources: all, destinations: all, conf: { interval: '10s', timeout: '2s', unhealthyThreshold: 3, healthyThreshold: 1 } },
  CircuitBreaker: { sources: all, destinations: all, conf: { thresholds: { maxConnections: 10 } } },
  FaultInjection: {
    sources: all,
    destinations: [{ match: { 'kuma.io/service': '*', 'kuma.io/protocol': 'http' } }],
    conf: { delay: { percentage: 50, value: '1s' } },
  },
  TrafficLog: { sources: all, destinations: all },
  TrafficTrace: { selectors: all },
  ProxyTemplate: { selectors: all },
  Retry: { sources: all, destinations: all, conf: { tcp: { maxConnectAttempts: 3 } } },
  Timeout: { sources: all, destinations: all, conf: { connectTimeout: '5s' } },
  RateLimit: { sources: all, destinations: all, conf: { http: { requests: 10, interval: '1s' } } },
  Secret: { data: 'c2VjcmV0' },
  GlobalSecret: { data: 'c2VjcmV0' },
  Zone: {},
  ZoneIngress: { networking: { address: '10.0.0.2', port: 10001 } },
  DataplaneInsight: {},
  ZoneInsight: {},
  ZoneIngressInsight: { subscriptions: [] },
  VirtualIP: { ip: '240.0.0.0', service: 'web' },
};

/** Deterministic pseudo-random numbers (mulberry32) so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LEAVES: unknown[] = [null, true, 0, -1, 1.5, 70000, '', 'x', '*', '5s', 'a b', [], {}, [1, 'x'], { match: 1 }, { 'kuma.io/service': 3 }];

/** Replaces one random node of a JSON value by a random leaf. */
function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  if (depth > 0 && random() < 0.3) return pick(LEAVES);
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    if (items.length === 0) return [pick(LEAVES)];
    const i = Math.floor(random() * items.length);
    return items.map((v, j) => (i === j ? mutate(v, random, depth + 1) : v));
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 0 || random() < 0.2) return { ...value, [pick(['conf', 'tags', 'networking', 'port', 'sources', 'x'])]: pick(LEAVES) };
    const k = pick(keys);
    return { ...value, [k]: mutate((value as Record<string, unknown>)[k], random, depth + 1) };
  }
  return pick(LEAVES);
}

describe('specValidators', () => {
  it('has a validator for every registered type that accepts a minimal valid spec', () => {
    for (const t of resourceTypes) {
      const key = { name: 'minimal', mesh: t.scope === 'mesh' ? 'default' : '' };
      expect(() => t.validate(minimal[t.name], key), t.name).not.toThrow();
      expect(t.validate).toBe(specValidators[t.name]);
    }
  });

  it('survives hostile shapes: deep nesting and __proto__ keys', () => {
    let deep: unknown = { 'kuma.io/service': 'web' };
    for (let i = 0; i < 10_000; i++) deep = { tags: deep };
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "networking": {"__proto__": 1, "address": "1.1.1.1", "inbound": [{"port": 1, "tags": {"__proto__": "x", "kuma.io/service": "a"}}]}}') as unknown;
    for (const t of resourceTypes) {
      for (const spec of [deep, hostile]) {
        try {
          t.validate(spec, { name: 'x', mesh: 'default' });
        } catch (err) {
          expect(err, t.name).toBeInstanceOf(ValidationError);
        }
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('is idempotent: a normalised spec validates to itself', () => {
    for (const t of resourceTypes) {
      const key = { name: 'minimal', mesh: '' };
      const once = t.validate(minimal[t.name], key);
      expect(t.validate(once, key), t.name).toEqual(once);
    }
  });

  it('answers malformed input with ValidationError only, never another exception', () => {
    const random = rng(20210203);
    for (const t of resourceTypes) {
      for (let i = 0; i < 200; i++) {
        const spec = mutate(minimal[t.name], random);
        try {
          t.validate(spec, { name: 'fuzz', mesh: 'default' });
        } catch (err) {
          expect(err, `${t.name} ${JSON.stringify(spec)}`).toBeInstanceOf(ValidationError);
          expect((err as ValidationError).violations.length).toBeGreaterThan(0);
        }
      }
    }
  });
});
