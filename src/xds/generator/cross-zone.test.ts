import { describe, expect, it } from 'vitest';
import { inputsOf, loadFixture } from '../../../test/helpers/generator-fixtures.js';
import { buildMeshSnapshot } from './index.js';

/** Cross-zone endpoints (issue 9 point 6) on golden fixture 14, with its inputs varied one way at a time. */
describe('cross-zone endpoints', () => {
  const fixture = loadFixture('14-cross-zone.input.yaml');

  it('reach a service of another zone at its ingress advertised address, weight = instances, with kuma.io/zone', () => {
    const snap = buildMeshSnapshot(inputsOf(fixture));
    expect(snap.endpoints.get('backend')).toEqual([
      { address: '203.0.113.2', port: 10443, zone: 'zone-2', weight: 2, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http', version: 'v1', 'kuma.io/zone': 'zone-2' } },
      { address: '203.0.113.2', port: 10443, zone: 'zone-2', weight: 1, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http', version: 'v2', 'kuma.io/zone': 'zone-2' } },
    ]);
    expect(snap.endpoints.get('echo')?.map((e) => [e.zone, e.address, e.weight])).toEqual([
      ['zone-1', '10.1.0.2', 1],
      ['zone-2', '203.0.113.2', 3],
    ]);
    expect(snap.endpoints.has('db')).toBe(false);
  });

  it('exist only with mTLS on, as in Kuma (the ingress passes TLS through; without it nothing routes by SNI)', () => {
    const spec = { ...fixture.mesh.spec };
    delete spec['mtls'];
    const snap = buildMeshSnapshot(inputsOf({ ...fixture, mesh: { ...fixture.mesh, spec } }));
    expect(snap.endpoints.has('backend')).toBe(false);
    expect(snap.endpoints.get('echo')?.map((e) => e.zone)).toEqual(['zone-1']);
  });
});
