import { afterAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, ack, node } from '../helpers/ads-client.js';
import { startCp, stopAll } from '../helpers/cp-process.js';
import { dataplaneToken } from '../helpers/tokens.js';

afterAll(stopAll);

const dataplane = (name: string, ip: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: ip, inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }] },
});

async function put(url: string, body: unknown): Promise<number> {
  return (await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).status;
}

describe('GC of offline data planes (KUMA_RUNTIME_UNIVERSAL_DATAPLANE_CLEANUP_AGE)', () => {
  it('deletes a data plane offline past the cleanup age with its insight; keeps connected and never-connected ones, saying so once for the latter', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_XDS_SERVER_DATAPLANE_STATUS_FLUSH_INTERVAL: '100ms', KUMA_RUNTIME_UNIVERSAL_DATAPLANE_CLEANUP_AGE: '3s' } });
    for (const [name, ip] of [['gone-1', '127.0.0.31'], ['live-1', '127.0.0.32'], ['waiting-1', '127.0.0.33']] as const) expect(await put(`${cp.apiUrl}/meshes/default/dataplanes/${name}`, dataplane(name, ip))).toBe(201);
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const connect = async (name: string) => {
      const s = client.sotw(await dataplaneToken(cp, { name }));
      s.send({ type_url: CDS, node: node({ id: `default.${name}` }), resource_names: [] });
      s.send(ack(await s.next(CDS, 30_000)));
      return s;
    };
    const gone = await connect('gone-1');
    const live = await connect('live-1');
    // Wait until the insight shows gone-1 connected, then drop it: the insight records the disconnect, from then on its age counts.
    for (let i = 0; i < 100; i++) {
      const insight = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplane-insights/gone-1`)).json()) as { subscriptions?: { connectTime?: string }[] };
      if (insight.subscriptions?.[0]?.connectTime) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    gone.cancel();
    const line = JSON.parse(await cp.waitForLog(/"dataplane":"gone-1".*"msg":"deleted a data plane offline longer than the cleanup age"/, 60_000)) as Record<string, unknown>;
    expect(line).toMatchObject({ component: 'dataplane-gc', mesh: 'default', dataplane: 'gone-1', cleanupAge: '3s' });
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/gone-1`)).status).toBe(404);
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplane-insights/gone-1`)).status).toBe(404);
    // Connected for longer than the age: online, kept. Never connected: waiting for its proxy, not garbage.
    await new Promise((r) => setTimeout(r, 4000));
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/live-1`)).status).toBe(200);
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/waiting-1`)).status).toBe(200);
    expect(cp.logs().filter((l) => l.includes('deleted a data plane')).map((l) => (JSON.parse(l) as { dataplane: string }).dataplane)).toEqual(['gone-1']);
    // The never-connected one is kept on purpose (Kuma's rule), and the operator is told so once, not at every sweep.
    const kept = cp.logs().filter((l) => l.includes('kept a data plane that never connected') && l.includes('"dataplane":"waiting-1"'));
    expect(kept.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([expect.objectContaining({ component: 'dataplane-gc', mesh: 'default', dataplane: 'waiting-1', cleanupAge: '3s' })]);
    const status = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes+insights/waiting-1`)).json()) as { dataplaneInsight: unknown };
    expect(status.dataplaneInsight).toEqual({});
    live.cancel();
    client.close();
    await cp.stop();
  }, 120_000);

  it('0 turns the GC off; a bad age is refused at start with one line', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_RUNTIME_UNIVERSAL_DATAPLANE_CLEANUP_AGE: '0' } });
    const config = (await (await fetch(`${cp.apiUrl}/config`)).json()) as { runtime: { universal: { dataplaneCleanupAge: string } } };
    expect(config.runtime.universal.dataplaneCleanupAge).toBe('0');
    expect(cp.logs().some((l) => l.includes('"component":"dataplane-gc"'))).toBe(false);
    await cp.stop();
    await expect(startCp({ env: { KUMA_STORE_TYPE: 'memory', KUMA_RUNTIME_UNIVERSAL_DATAPLANE_CLEANUP_AGE: 'soon' }, startTimeoutMs: 15_000 })).rejects.toThrow(/runtime.universal.dataplaneCleanupAge/);
  }, 60_000);
});
