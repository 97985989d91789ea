import { describe, expect, it } from 'vitest';
import { inputsOf, loadFixture } from '../../../test/helpers/generator-fixtures.js';
import * as generator from '../generator/index.js';
import { createDryRunner } from './dry-run.js';

/** Dry-runs on a mesh with mTLS (golden fixture 09): sidecars are generated although no certificate was issued. */
describe('dry-run on an mTLS mesh', () => {
  const fixture = loadFixture('09-mtls.input.yaml');
  const inputs = inputsOf(fixture);
  const runner = createDryRunner({
    loadInputs: (mesh) => Promise.resolve(mesh === 'default' ? inputs : undefined),
    listMeshes: () => Promise.resolve(['default']),
    generators: generator,
    connectedKind: () => undefined,
  });

  it('a policy change lists the proxies it changes and no certificate change', async () => {
    const timeout = { sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }], conf: { connectTimeout: '7s' } };
    const r = await runner({ type: 'Timeout', key: { mesh: 'default', name: 'timeout-all-default' }, spec: timeout });
    expect(r.errors).toEqual([]);
    expect(r.proxies.map((p) => p.name)).toEqual(['web-1']); // the only one with outbounds
    expect(r.proxies.flatMap((p) => p.resources.map((x) => x.typeUrl))).not.toContain('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
  });

  it('turning mTLS off removes the secrets', async () => {
    const r = await runner({ type: 'Mesh', key: { mesh: '', name: 'default' }, spec: {} });
    expect(r.errors).toEqual([]);
    const web = r.proxies.find((p) => p.name === 'web-1');
    expect(web?.resources.filter((x) => x.typeUrl.endsWith('Secret')).map((x) => [x.name, x.change])).toEqual([
      ['identity_cert:secret:default', 'removed'],
      ['mesh_ca:secret:default', 'removed'],
    ]);
  });
});
