import { afterAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';

afterAll(stopAll);

const put = (cp: CpProcess, path: string, body: object): Promise<Response> =>
  fetch(`${cp.apiUrl}${path}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

async function snapshot(cp: CpProcess): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const path of ['/meshes', '/dataplanes', '/traffic-routes', '/traffic-permissions', '/timeouts', '/retries', '/secrets', '/zones']) {
    out[path] = await (await fetch(`${cp.apiUrl}${path}`)).json();
  }
  return out;
}

async function seed(cp: CpProcess): Promise<void> {
  expect((await put(cp, '/meshes/payments', { type: 'Mesh', name: 'payments' })).status).toBe(201);
  const dp = {
    type: 'Dataplane',
    mesh: 'payments',
    name: 'api-1',
    networking: { address: '10.0.0.7', inbound: [{ port: 8080, servicePort: 80, tags: { 'kuma.io/service': 'api' } }] },
  };
  expect((await put(cp, '/meshes/payments/dataplanes/api-1', dp)).status).toBe(201);
  expect((await put(cp, '/meshes/payments/secrets/token', { type: 'Secret', mesh: 'payments', name: 'token', data: 'c2VjcmV0' })).status).toBe(201);
}

describe('REST API persistence across restarts', () => {
  it('keeps every resource with the sqlite store', async () => {
    const cp = await startCp();
    await seed(cp);
    const before = await snapshot(cp);
    const again = await cp.restart();
    expect(await snapshot(again)).toEqual(before);
    expect((await fetch(`${again.apiUrl}/meshes/payments/dataplanes/api-1`)).status).toBe(200);
  });

  it('keeps none with KUMA_STORE_TYPE=memory', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    await seed(cp);
    const again = await cp.restart();
    expect((await fetch(`${again.apiUrl}/meshes/payments`)).status).toBe(404);
    const dataplanes = (await (await fetch(`${again.apiUrl}/dataplanes`)).json()) as { total: number };
    expect(dataplanes.total).toBe(0);
    const meshes = (await (await fetch(`${again.apiUrl}/meshes`)).json()) as { items: { name: string }[] };
    expect(meshes.items.map((m) => m.name)).toEqual(['default']);
  });
});
