import { describe, expect, it } from 'vitest';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { computeAvailableServices } from './available-services.js';

const dp = (mesh: string, name: string, networking: Record<string, unknown>): ResourceOf<'Dataplane'> =>
  ({ type: 'Dataplane', meta: { name, mesh, version: 1, creationTime: '', modificationTime: '' }, spec: { networking } }) as unknown as ResourceOf<'Dataplane'>;

describe('computeAvailableServices', () => {
  it('counts healthy inbounds per (mesh, full tag set) across meshes, skipping ingresses, sorted', () => {
    const got = computeAvailableServices([
      dp('default', 'b1', { address: '10.0.0.1', inbound: [{ port: 1, tags: { version: 'v1', 'kuma.io/service': 'backend' } }] }),
      dp('default', 'b2', { address: '10.0.0.2', inbound: [{ port: 1, tags: { 'kuma.io/service': 'backend', version: 'v1' } }] }),
      dp('default', 'b3', { address: '10.0.0.3', inbound: [{ port: 1, tags: { 'kuma.io/service': 'backend', version: 'v2' } }] }),
      dp('default', 'sick', { address: '10.0.0.4', inbound: [{ port: 1, tags: { 'kuma.io/service': 'backend', version: 'v2' }, health: { ready: false } }] }),
      dp('other', 'w', { address: '10.0.0.5', inbound: [{ port: 1, tags: { 'kuma.io/service': 'web' } }] }),
      dp('default', 'ingress', { address: '10.0.0.9', ingress: {}, inbound: [{ port: 1, tags: { 'kuma.io/service': 'ingress' } }] }),
    ]);
    expect(got).toEqual([
      { mesh: 'default', tags: { 'kuma.io/service': 'backend', version: 'v1' }, instances: 2 },
      { mesh: 'default', tags: { 'kuma.io/service': 'backend', version: 'v2' }, instances: 1 },
      { mesh: 'other', tags: { 'kuma.io/service': 'web' }, instances: 1 },
    ]);
  });
});
