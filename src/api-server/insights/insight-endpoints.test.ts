import { afterEach, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../../../test/helpers/api-test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

const T0 = '2026-01-02T03:04:05Z';
const dp = (service: string) => ({ networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': service } }] } });
const sub = (online: boolean) => ({ id: 'x', controlPlaneInstanceId: 'cp', connectTime: T0, ...(online ? {} : { disconnectTime: T0 }), status: { total: { responsesSent: 3, responsesAcknowledged: 3, responsesRejected: 0 } } });

async function seed(t: TestApi): Promise<void> {
  const key = (name: string) => ({ name, mesh: 'default' });
  await t.manager.create('Dataplane', key('web-1'), dp('web'));
  await t.manager.create('Dataplane', key('backend-1'), dp('backend'));
  await t.manager.create('Dataplane', key('backend-2'), dp('backend'));
  await t.store.create('DataplaneInsight', key('web-1'), { subscriptions: [sub(true)] });
  await t.store.create('DataplaneInsight', key('backend-1'), { subscriptions: [sub(true)] });
  await t.store.create('DataplaneInsight', key('backend-2'), { subscriptions: [sub(false)] });
  await t.manager.create('ExternalService', key('httpbin'), { networking: { address: 'httpbin.org:443' }, tags: { 'kuma.io/service': 'httpbin' } });
}

describe('insight endpoints', () => {
  it('counts data planes per service with Kuma statuses', async () => {
    api = await startTestApi();
    await seed(api);
    const body = (await (await fetch(`${api.url}/meshes/default/service-insights`)).json()) as { total: number; items: unknown[] };
    expect(body.total).toBe(3);
    expect(body.items).toEqual([
      { type: 'ServiceInsight', mesh: 'default', name: 'backend', serviceType: 'internal', status: 'partially_degraded', dataplanes: { online: 1, offline: 1, total: 2 }, zones: [] },
      { type: 'ServiceInsight', mesh: 'default', name: 'httpbin', serviceType: 'external', status: 'online', dataplanes: { online: 0, offline: 0, total: 0 }, zones: [], addressPort: 'httpbin.org:443' },
      { type: 'ServiceInsight', mesh: 'default', name: 'web', serviceType: 'internal', status: 'online', dataplanes: { online: 1, offline: 0, total: 1 }, zones: [] },
    ]);
    expect((await fetch(`${api.url}/meshes/default/service-insights/nothing`)).status).toBe(404);
    expect((await fetch(`${api.url}/meshes/nomesh/service-insights`)).status).toBe(404);
  });

  it('summarises a mesh and the whole control plane', async () => {
    api = await startTestApi();
    await seed(api);
    const mesh = (await (await fetch(`${api.url}/mesh-insights/default`)).json()) as Record<string, unknown>;
    expect(mesh).toMatchObject({
      type: 'MeshInsight',
      name: 'default',
      dataplanes: { online: 2, offline: 1, total: 3 },
      services: { total: 3, internal: 2, external: 1 },
      policies: { TrafficPermission: { total: 1 }, TrafficRoute: { total: 1 } },
      backends: { mtls: 'off', locality: false },
    });
    const global = (await (await fetch(`${api.url}/global-insights`)).json()) as Record<string, unknown>;
    expect(global).toMatchObject({ meshes: { total: 1 }, dataplanes: { standard: { online: 2, offline: 1, total: 3 } }, services: { total: 3 } });
    const list = (await (await fetch(`${api.url}/mesh-insights`)).json()) as { total: number };
    expect(list.total).toBe(1);
  });

  it('maps services to VIPs and joins zone ingresses with their insights', async () => {
    api = await startTestApi();
    await api.store.create('VirtualIP', { name: '240-0-0-1', mesh: '' }, { ip: '240.0.0.1', service: 'web' });
    await api.store.create('VirtualIP', { name: '240-0-0-0', mesh: '' }, { ip: '240.0.0.0', service: 'backend' });
    expect(await (await fetch(`${api.url}/vips`)).json()).toEqual({ backend: '240.0.0.0', web: '240.0.0.1' });
    await api.manager.create('ZoneIngress', { name: 'zi-1', mesh: '' }, { networking: { address: '10.0.0.9', port: 10001 } });
    const zis = (await (await fetch(`${api.url}/zoneingresses+insights`)).json()) as { items: Record<string, unknown>[] };
    expect(zis.items[0]).toMatchObject({ type: 'ZoneIngressOverview', name: 'zi-1', zoneIngress: { networking: { address: '10.0.0.9' } }, zoneIngressInsight: {} });
  });
});
