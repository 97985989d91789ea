import { afterAll, describe, expect, it } from 'vitest';
import type { AnyMessage, DiscoveryResponse } from '../../src/grpc/discovery-service.js';
import { AdsTestClient, CDS, LDS, ack, decodeResource, node, resourceNames } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { dataplaneToken } from '../helpers/tokens.js';

/**
 * TrafficTrace and TrafficLog (issue #15 points 3-4) on the built daemon, seen by an ADS client as Envoy
 * would: the proxy's HTTP listeners carry HCM tracing and its outbound the access log, the tracing:<backend>
 * cluster appears; deleting the TrafficTrace takes both away again.
 */
afterAll(async () => {
  await stopAll();
});

type Obj = Record<string, unknown>;

async function put(cp: CpProcess, path: string, body: Obj): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.text()}`).toBeLessThan(300);
}

/** The HCM or tcp_proxy config of each listener, by listener name. */
function terminalFilters(lds: DiscoveryResponse): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const r of lds.resources) {
    const listener = decodeResource(r) as { name: string; filter_chains?: { filters?: { typed_config?: AnyMessage }[] }[] };
    const any = listener.filter_chains?.[0]?.filters?.at(-1)?.typed_config;
    if (any) out.set(listener.name, decodeResource(any));
  }
  return out;
}

const providerOf = (hcm: Obj | undefined): Obj | undefined => {
  const provider = (hcm?.['tracing'] as { provider?: { name: string; typed_config: AnyMessage } } | undefined)?.provider;
  return provider ? { name: provider.name, ...decodeResource(provider.typed_config) } : undefined;
};

describe('TrafficTrace and TrafficLog over ADS', () => {
  it('puts HCM tracing, the tracing cluster and the outbound access log into the config, and takes tracing away on DELETE', async () => {
    const cp = await startCp();
    await put(cp, '/meshes/default', {
      type: 'Mesh',
      name: 'default',
      tracing: { backends: [{ name: 'zipkin', type: 'zipkin', sampling: 50, conf: { url: 'http://127.0.0.1:9411/api/v2/spans' } }] },
      logging: { defaultBackend: 'file', backends: [{ name: 'file', type: 'file', format: '%KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE% %RESPONSE_CODE%', conf: { path: '/tmp/web.log' } }] },
    });
    for (const [name, port, service, outbound] of [
      ['web-1', 8080, 'web', [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }]],
      ['backend-1', 9090, 'backend', []],
    ] as const) {
      await put(cp, `/meshes/default/dataplanes/${name}`, {
        type: 'Dataplane',
        mesh: 'default',
        name,
        networking: { address: '127.0.0.1', inbound: [{ port, servicePort: port + 1, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }], outbound },
      });
    }
    await put(cp, '/meshes/default/traffic-traces/web', { type: 'TrafficTrace', mesh: 'default', name: 'web', selectors: [{ match: { 'kuma.io/service': 'web' } }], conf: { backend: 'zipkin' } });
    await put(cp, '/meshes/default/traffic-logs/web-to-backend', {
      type: 'TrafficLog',
      mesh: 'default',
      name: 'web-to-backend',
      sources: [{ match: { 'kuma.io/service': 'web' } }],
      destinations: [{ match: { 'kuma.io/service': 'backend' } }],
    });

    const client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    const s = client.sotw(await dataplaneToken(cp, { name: 'web-1' }));
    s.send({ type_url: CDS, node: node({ id: 'default.web-1' }) }).send({ type_url: LDS });
    // The policies may reach the snapshot after the first push: read until the config has them.
    const until = async <T>(typeUrl: string, pick: (res: DiscoveryResponse) => T | undefined): Promise<T> => {
      for (;;) {
        const res = await s.next(typeUrl, 15_000);
        s.send(ack(res));
        const v = pick(res);
        if (v !== undefined) return v;
      }
    };
    await until(CDS, (cds) => (resourceNames(cds).includes('tracing:zipkin') ? true : undefined));
    const listeners = await until(LDS, (lds) => {
      const f = terminalFilters(lds);
      return f.get('outbound:127.0.0.1:10001')?.['tracing'] ? f : undefined;
    });
    for (const name of ['inbound:127.0.0.1:8080', 'outbound:127.0.0.1:10001']) {
      const hcm = listeners.get(name);
      expect(hcm?.['tracing'], name).toMatchObject({ overall_sampling: { value: 50 } });
      expect(providerOf(hcm), name).toMatchObject({ name: 'envoy.tracers.zipkin', collector_cluster: 'tracing:zipkin', collector_endpoint: '/api/v2/spans' });
    }
    const log = (listeners.get('outbound:127.0.0.1:10001')?.['access_log'] as { typed_config: AnyMessage }[] | undefined)?.[0];
    expect(log && decodeResource(log.typed_config)).toMatchObject({ path: '/tmp/web.log', log_format: { text_format_source: { inline_string: 'web->backend %RESPONSE_CODE%\n' } } });

    const del = await fetch(`${cp.apiUrl}/meshes/default/traffic-traces/web`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await until(CDS, (cds) => (resourceNames(cds).includes('tracing:zipkin') ? undefined : true));
    const after = await until(LDS, (lds) => {
      const f = terminalFilters(lds);
      return f.get('outbound:127.0.0.1:10001')?.['tracing'] ? undefined : f;
    });
    expect(after.get('inbound:127.0.0.1:8080')?.['tracing']).toBeUndefined();
    expect(after.get('outbound:127.0.0.1:10001')?.['access_log']).toBeDefined();

    // A TrafficTrace naming a backend the mesh does not have changes nothing and is logged, naming policy, mesh and data plane.
    await put(cp, '/meshes/default/traffic-traces/broken', { type: 'TrafficTrace', mesh: 'default', name: 'broken', selectors: [{ match: { 'kuma.io/service': 'web' } }], conf: { backend: 'jaeger' } });
    const line = await cp.waitForLog(/TrafficTrace \\"broken\\" in mesh \\"default\\" has no effect on data planes web-1/);
    expect(line).toContain('which mesh \\"default\\" does not have');
    s.close();
    client.close();
  }, 90_000);
});
