import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, node } from '../../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { dataplaneToken } from '../../helpers/tokens.js';

/**
 * Attack: a resource far larger than any real one, through the paths that do not go through the REST body limit.
 * A data plane registering inline puts 1.5 MB into a tag of its Dataplane (node metadata `dataplane.resource`):
 * before the shared resource limit it was stored, listed by the API and sent to every zone and proxy of the mesh.
 * Defence guarded: core/resource-limits.ts, checked first by the ResourceManager (the KDS path: kds-limits.test.ts).
 */
let cp: CpProcess;

beforeAll(async () => {
  cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
}, 60_000);
afterAll(stopAll);

describe('one size and nesting limit for every entry path', () => {
  it('an inline Dataplane over 1 MiB is refused on the ADS stream and nothing is stored', async () => {
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer ?? 0}`);
    const resource = {
      type: 'Dataplane',
      mesh: 'default',
      name: 'big',
      networking: { address: '10.0.0.9', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'big', blob: 'x'.repeat(1_500_000) } }] },
    };
    const s = client.sotw(await dataplaneToken(cp, { name: 'big' }));
    s.send({ type_url: CDS, node: node({ id: 'default.big', metadata: { 'dataplane.resource': JSON.stringify(resource) } }) });
    await expect(s.next(CDS)).rejects.toThrow(/spec: is \d+ bytes as JSON, more than the 1048576 a resource may have/);
    client.close();
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/big`)).status).toBe(404);
  });

  it('a REST body nested deeper than the limit is refused with the same rule', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 70; i++) deep = { a: deep };
    const res = await fetch(`${cp.apiUrl}/meshes/default/proxytemplates/deep`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'ProxyTemplate', mesh: 'default', name: 'deep', conf: deep }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('nests deeper than 64 levels');
  });
});
