import { afterAll, describe, expect, it } from 'vitest';
import { startCp, stopAll } from '../helpers/cp-process.js';

afterAll(stopAll);

const put = (url: string, body: object): Promise<Response> =>
  fetch(url, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function meshNames(apiUrl: string): Promise<string[]> {
  const list = (await (await fetch(`${apiUrl}/meshes`)).json()) as { items: { name: string }[] };
  return list.items.map((m) => m.name);
}

const dataplane = {
  type: 'Dataplane',
  mesh: 'default',
  name: 'web-01',
  networking: { address: '192.168.0.1', inbound: [{ port: 11011, servicePort: 11012, tags: { 'kuma.io/service': 'backend' } }] },
};
const route = {
  type: 'TrafficRoute',
  mesh: 'default',
  name: 'r1',
  sources: [{ match: { 'kuma.io/service': '*' } }],
  destinations: [{ match: { 'kuma.io/service': '*' } }],
  conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }] },
};

describe('REST API read-only rules per mode', () => {
  it('remote answers a JSON 405 naming kumactl to a policy PUT', async () => {
    const cp = await startCp({ mode: 'remote', zone: 'zone-1', globalAddress: 'grpc://127.0.0.1:5685', env: { KUMA_STORE_TYPE: 'memory' } });
    const res = await put(`${cp.apiUrl}/meshes/default/traffic-routes/r1`, route);
    expect(res.status).toBe(405);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({
      title: 'Method not allowed',
      details:
        "On a zone control plane you can only modify Dataplane and ZoneIngress resources, with 'kumactl apply -f' or a PUT on this API. Modify the other resources on the global control plane, with 'kumactl apply -f' pointed at it.",
    });
    expect((await put(`${cp.apiUrl}/meshes/m2`, { type: 'Mesh', name: 'm2' })).status).toBe(405);
    // A remote gets its meshes from the global: it creates no default mesh of its own.
    expect(await meshNames(cp.apiUrl)).toEqual([]);
  });

  it('creates no default mesh when defaults.skipMeshCreation is set', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_DEFAULTS_SKIP_MESH_CREATION: 'true' } });
    expect(await meshNames(cp.apiUrl)).toEqual([]);
  });

  it('global answers a JSON 405 naming kumactl to a Dataplane PUT and accepts policies', async () => {
    const cp = await startCp({ mode: 'global', env: { KUMA_STORE_TYPE: 'memory' } });
    const res = await put(`${cp.apiUrl}/meshes/default/dataplanes/web-01`, dataplane);
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({
      title: 'Method not allowed',
      details: "On a global control plane you can not modify Dataplane resources, with 'kumactl apply -f' or this API. Modify them on their zone control plane, with 'kumactl apply -f' pointed at it.",
    });
    const created = await put(`${cp.apiUrl}/meshes/default/traffic-routes/r1`, route);
    expect(created.status, await created.text()).toBe(201);
  });
});
