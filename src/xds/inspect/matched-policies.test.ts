import { describe, expect, it } from 'vitest';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { matchedPolicies } from './matched-policies.js';

const T = '2021-01-01T00:00:00Z';
const res = (type: ResourceTypeName, name: string, spec: Record<string, unknown>): Resource => ({ type, meta: { name, mesh: 'default', version: 1, creationTime: T, modificationTime: T }, spec });
const any = [{ match: { 'kuma.io/service': '*' } }];

describe('matched policies of FaultInjection and RateLimit', () => {
  it('lists every one selecting an inbound, and says when it has no effect there', () => {
    const dp = res('Dataplane', 'backend-1', {
      networking: {
        address: '10.0.0.2',
        inbound: [
          { port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } },
          { port: 5432, tags: { 'kuma.io/service': 'db' } },
        ],
      },
    });
    const policies = new Map<ResourceTypeName, Resource[]>([
      [
        'RateLimit',
        [
          res('RateLimit', 'all', { sources: any, destinations: any, conf: { http: { requests: 1, interval: '1s' } } }),
          res('RateLimit', 'web', { sources: [{ match: { 'kuma.io/service': 'web' } }], destinations: [{ match: { 'kuma.io/service': 'backend' } }], conf: { http: { requests: 1, interval: '1s' } } }),
        ],
      ],
      ['FaultInjection', [res('FaultInjection', 'db-fault', { sources: any, destinations: [{ match: { 'kuma.io/service': 'db', 'kuma.io/protocol': 'http' } }], conf: { abort: { httpStatus: 500, percentage: 1 } } })]],
    ]);
    const matched = matchedPolicies(dp as ResourceOf<'Dataplane'>, { policies, services: [] });
    const pick = (type: string, name: string) => matched.find((m) => m.type === type && m.name === name);
    expect(pick('RateLimit', 'all')?.attachments.map((a) => a.name)).toEqual(['inbound:10.0.0.2:9090', 'inbound:10.0.0.2:5432']);
    expect(pick('RateLimit', 'all')?.noEffect).toMatch(/^inbound:10\.0\.0\.2:5432: the inbound of db speaks tcp/);
    expect(pick('RateLimit', 'web')?.attachments.map((a) => a.name)).toEqual(['inbound:10.0.0.2:9090']);
    expect(pick('RateLimit', 'web')?.noEffect).toBeUndefined();
    expect(pick('RateLimit', 'web')?.reason).toBe('from kuma.io/service=web to kuma.io/service=backend');
    expect(pick('FaultInjection', 'db-fault')?.attachments.map((a) => a.name)).toEqual(['inbound:10.0.0.2:5432']);
    expect(pick('FaultInjection', 'db-fault')?.noEffect).toContain('FaultInjection faults HTTP requests only');
  });
});
