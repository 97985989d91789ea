import { status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { GLOBAL_REFUSAL } from '../../src/xds/server/global-refusal.js';
import { dataplaneToken } from '../helpers/tokens.js';
import { AdsTestClient, CDS, EDS, LDS, ack, node, resourceNames } from '../helpers/ads-client.js';
import { startCp, stopAll } from '../helpers/cp-process.js';

/** The ADS server of the built daemon, driven with the project's own ADS test client. */
afterAll(async () => {
  await stopAll();
});

const backend = (port: number) => ({
  type: 'Dataplane',
  mesh: 'default',
  name: 'backend-1',
  networking: { address: '127.0.0.1', inbound: [{ port, servicePort: port + 1, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }] },
});

interface Overview {
  dataplaneInsight?: { subscriptions?: { disconnectTime?: string; status?: { total?: { responsesAcknowledged?: number } } }[] };
}

describe('ADS on the built kuma-cp', () => {
  it('serves an Envoy sidecar its config in push order and shows it online, then offline', async () => {
    const cp = await startCp({ env: { KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL: '100ms' } });
    const put = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(backend(9000)) });
    expect(put.status).toBe(201);
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const s = client.sotw(await dataplaneToken(cp, { name: 'backend-1' }));
    s.send({ type_url: CDS, node: node({ id: 'default.backend-1' }) }).send({ type_url: LDS });
    const cds = await s.next(CDS);
    const lds = await s.next(LDS);
    expect(s.received.map((r) => r.type_url)).toEqual([CDS, LDS]);
    expect(resourceNames(lds)).toContain('inbound:127.0.0.1:9000');
    s.send(ack(cds)).send(ack(lds));
    const clusters = resourceNames(cds);
    s.send({ type_url: EDS, resource_names: clusters });
    const eds = await s.next(EDS);
    expect(resourceNames(eds).sort()).toEqual([...clusters].sort());
    s.send(ack(eds, clusters));
    const overview = async (): Promise<Overview> => (await fetch(`${cp.apiUrl}/meshes/default/dataplanes+insights/backend-1`)).json() as Promise<Overview>;
    await expect.poll(async () => (await overview()).dataplaneInsight?.subscriptions?.at(-1)?.status?.total?.responsesAcknowledged, { timeout: 20_000 }).toBe(3);
    expect((await overview()).dataplaneInsight?.subscriptions?.at(-1)?.disconnectTime).toBeUndefined();
    s.close();
    await expect.poll(async () => (await overview()).dataplaneInsight?.subscriptions?.at(-1)?.disconnectTime, { timeout: 20_000 }).toBeDefined();
    client.close();
  }, 60_000);

  it('a global control plane refuses data planes with FAILED_PRECONDITION', async () => {
    const cp = await startCp({ mode: 'global' });
    expect(cp.ports.dpServer).toBeDefined();
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const s = client.sotw();
    s.send({ type_url: CDS, node: node({ id: 'default.backend-1' }) });
    const st = await s.status();
    expect(st.code).toBe(status.FAILED_PRECONDITION);
    expect(st.details).toBe(GLOBAL_REFUSAL);
    client.close();
  }, 60_000);
});
