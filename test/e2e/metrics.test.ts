import { afterAll, describe, expect, it } from 'vitest';
import { dataplaneToken, zoneAuthEnv } from '../helpers/tokens.js';
import { AdsTestClient, CDS, LDS, ack, node } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { encodeQuery, udpQuery } from '../helpers/dns-client.js';

afterAll(stopAll);

async function scrape(cp: CpProcess): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${cp.ports.diagnostics}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one sample line, e.g. `resources_count{resource_type="Mesh"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function until(cp: CpProcess, series: string, want: number): Promise<string> {
  // Up to 20 s: a loaded 2-core CI machine is slow; the caller still asserts the exact value.
  const end = Date.now() + 20_000;
  for (;;) {
    const text = await scrape(cp);
    if (sample(text, series) === want || Date.now() > end) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/metrics on the diagnostics port', () => {
  it('serves process, resource and DNS metrics on a standalone CP', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const put = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '10.0.0.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'web' } }] } }),
    });
    expect(put.status).toBe(201);

    let text = await until(cp, 'resources_count{resource_type="Dataplane"}', 1);
    expect(sample(text, 'resources_count{resource_type="Dataplane"}')).toBe(1);
    expect(sample(text, 'resources_count{resource_type="Mesh"}')).toBe(1);
    expect(sample(text, 'resources_count{resource_type="TrafficRoute"}')).toBe(1);
    expect(text).toMatch(/^cp_info\{instance_id="[^"]+",version="[^"]+",mode="standalone",zone=""\} 1$/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);

    // Wait until the VIP exists, then count one resolved and one unresolved query.
    for (let i = 0; (await udpQuery(cp.ports.dnsUdp!, encodeQuery('web.mesh'))).rcode !== 'NOERROR' && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
    const before = sample(await scrape(cp), 'dns_server_resolution{result="unresolved",transport="udp"}') ?? 0;
    expect((await udpQuery(cp.ports.dnsUdp!, encodeQuery('nothing.mesh'))).rcode).toBe('NXDOMAIN');
    text = await scrape(cp);
    expect(sample(text, 'dns_server_resolution{result="resolved",transport="udp"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'dns_server_resolution{result="unresolved",transport="udp"}')).toBe(before + 1);

    const del = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    text = await until(cp, 'resources_count{resource_type="Dataplane"}', 0);
    expect(sample(text, 'resources_count{resource_type="Dataplane"}')).toBe(0);
  }, 90_000);

  it('counts ADS streams, responses, ACKs and generations', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const dp = { type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '127.0.0.1', inbound: [{ port: 9000, tags: { 'kuma.io/service': 'web' } }] } };
    const put = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(dp) });
    expect(put.status).toBe(201);
    expect(sample(await scrape(cp), 'xds_streams_active{kind="envoy"}') ?? 0).toBe(0);
    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const s = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    s.send({ type_url: CDS, node: node({ id: 'default.web-1' }) }).send({ type_url: LDS });
    const cds = await s.next(CDS);
    const lds = await s.next(LDS);
    s.send(ack(cds)).send(ack(lds));
    const text = await until(cp, `xds_requests_received{type_url="${LDS}",confirmation="ACK"}`, 1);
    expect(sample(text, 'xds_streams_active{kind="envoy"}')).toBe(1);
    expect(sample(text, `xds_responses_sent{type_url="${CDS}"}`)).toBe(1);
    expect(sample(text, `xds_requests_received{type_url="${CDS}",confirmation="ACK"}`)).toBe(1);
    expect(sample(text, 'xds_generation_count')).toBeGreaterThanOrEqual(1);
    s.close();
    expect(sample(await until(cp, 'xds_streams_active{kind="envoy"}', 0), 'xds_streams_active{kind="envoy"}')).toBe(0);
    client.close();
  }, 90_000);

  it('counts the zones connected to a global', async () => {
    const global = await startCp({ mode: 'global', env: { KUMA_STORE_TYPE: 'memory' } });
    expect(sample(await scrape(global), 'kds_zone_active_connections')).toBe(0);
    const zone = await startCp({ mode: 'zone', zone: 'zone-1', globalAddress: `grpc://127.0.0.1:${global.ports.kds}`, env: { KUMA_STORE_TYPE: 'memory', ...(await zoneAuthEnv(global, 'zone-1')) } });
    expect(sample(await until(global, 'kds_zone_active_connections', 1), 'kds_zone_active_connections')).toBe(1);
    await zone.stop();
    expect(sample(await until(global, 'kds_zone_active_connections', 0), 'kds_zone_active_connections')).toBe(0);
  }, 90_000);
});
