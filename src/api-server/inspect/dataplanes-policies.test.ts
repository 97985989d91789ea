import { afterEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers/api-test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

interface Matched {
  type: string;
  name: string;
  attachments: { kind: string; name: string }[];
}
interface Page {
  total: number;
  items: { mesh: string; name: string; policies: Matched[] }[];
  next: string | null;
}

const get = async <T>(url: string): Promise<T> => {
  const res = await fetch(url);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
};

describe('GET /meshes/{mesh}/dataplanes+policies', () => {
  it('gives every data plane of the mesh its matched policies, page after page (150 data planes)', async () => {
    const a = (api = await startTestApi());
    const names = Array.from({ length: 150 }, (_, i) => `dp-${String(i).padStart(3, '0')}`);
    for (const [i, name] of names.entries()) {
      const service = i % 2 === 0 ? 'web' : 'backend';
      const dp = { networking: { address: `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': service } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] } };
      await a.manager.create('Dataplane', { mesh: 'default', name }, dp);
    }
    const route = { sources: [{ match: { 'kuma.io/service': 'web' } }], destinations: [{ match: { 'kuma.io/service': 'backend' } }], conf: { destination: { 'kuma.io/service': 'backend' } } };
    await a.manager.create('TrafficRoute', { mesh: 'default', name: 'web-to-backend' }, route);

    const first = await get<Page>(`${a.url}/meshes/default/dataplanes+policies`);
    expect(first.total).toBe(150);
    expect(first.items).toHaveLength(100);
    expect(first.next).toBe(`${a.url}/meshes/default/dataplanes+policies?offset=100&size=100`);
    const second = await get<Page>(first.next ?? '');
    expect(second.next).toBeNull();
    const all = [...first.items, ...second.items];
    expect(all.map((d) => d.name)).toEqual(names);

    // Every one, the 150th included, has what its own inspect endpoint says: the same matching, one read of the mesh.
    for (const name of ['dp-000', 'dp-051', 'dp-149']) {
      const own = await get<{ items: Matched[] }>(`${a.url}/meshes/default/dataplanes/${name}/policies`);
      expect(all.find((d) => d.name === name)?.policies, name).toEqual(own.items);
    }
    const last = all.find((d) => d.name === 'dp-148')?.policies ?? [];
    expect(last.find((p) => p.type === 'TrafficRoute')).toMatchObject({ name: 'web-to-backend', attachments: [{ kind: 'outbound', name: 'outbound:backend' }] });
    expect(last.find((p) => p.type === 'TrafficPermission')).toMatchObject({ name: 'allow-all-default' });
  });

  it('answers 404 for a mesh that does not exist and 400 for a bad page', async () => {
    const a = (api = await startTestApi());
    expect((await fetch(`${a.url}/meshes/nope/dataplanes+policies`)).status).toBe(404);
    expect((await fetch(`${a.url}/meshes/default/dataplanes+policies?size=0`)).status).toBe(400);
  });
});
