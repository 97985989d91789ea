import { describe, expect, it } from 'vitest';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import type { MeshInputs } from '../generator/index.js';
import { proposedInputs } from './proposed-inputs.js';
import { typedInputs } from '../../../test/helpers/generator-fixtures.js';

const res = (type: ResourceTypeName, name: string, spec: Record<string, unknown> = {}, version = 1): Resource => ({
  type,
  meta: { name, mesh: type === 'Mesh' ? '' : 'default', version, creationTime: 't0', modificationTime: 't0' },
  spec,
});

const inputs = (): MeshInputs =>
  typedInputs({
  mesh: res('Mesh', 'default'),
  dataplanes: [res('Dataplane', 'a'), res('Dataplane', 'c')],
  policies: new Map<ResourceTypeName, Resource[]>([['Timeout', [res('Timeout', 't', { conf: { connectTimeout: '5s' } }, 3)]]]),
  externalServices: [],
  zoneIngresses: [],
  vips: new Map(),
  });

describe('proposedInputs', () => {
  it('replaces, adds and removes one resource of the list its type feeds, leaving the stored inputs alone', () => {
    const before = inputs();
    const updated = proposedInputs(before, { type: 'Timeout', key: { name: 't', mesh: 'default' }, spec: { conf: { connectTimeout: '9s' } } });
    expect(updated.policies.Timeout?.map((r) => [r.meta.name, r.meta.version, r.spec])).toEqual([['t', 4, { conf: { connectTimeout: '9s' } }]]);
    expect(before.policies.Timeout?.[0]?.spec).toEqual({ conf: { connectTimeout: '5s' } });

    const added = proposedInputs(before, { type: 'Dataplane', key: { name: 'b', mesh: 'default' }, spec: { networking: {} } });
    expect(added.dataplanes.map((d) => d.meta.name)).toEqual(['a', 'b', 'c']);
    expect(before.dataplanes).toHaveLength(2);

    const removed = proposedInputs(before, { type: 'Dataplane', key: { name: 'a', mesh: 'default' }, spec: undefined });
    expect(removed.dataplanes.map((d) => d.meta.name)).toEqual(['c']);

    const route = proposedInputs(before, { type: 'TrafficRoute', key: { name: 'r', mesh: 'default' }, spec: { conf: {} } });
    expect(route.policies.TrafficRoute?.map((r) => r.meta.name)).toEqual(['r']);
  });

  it('changes the mesh spec for a Mesh, and nothing for types the generators do not read', () => {
    const before = inputs();
    expect(proposedInputs(before, { type: 'Mesh', key: { name: 'default', mesh: '' }, spec: { mtls: {} } }).mesh.spec).toEqual({ mtls: {} });
    expect(proposedInputs(before, { type: 'Zone', key: { name: 'z', mesh: '' }, spec: {} })).toBe(before);
  });
});
