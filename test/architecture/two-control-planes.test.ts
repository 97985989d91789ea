import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { configureLogging } from '../../src/core/logging.js';
import { buildRuntime } from '../../src/core/runtime/bootstrap.js';
import type { Runtime } from '../../src/core/runtime/runtime.js';
import { createDnsMetrics } from '../../src/dns/dns-metrics.js';
import { MemoryStore } from '../../src/plugins/store/memory/memory-store.js';
import { realGenerators, runDpServer, type RunningServer } from '../../src/xds/server/components.js';
import { createXdsMetrics } from '../../src/xds/xds-metrics.js';
import { AdsTestClient, CDS, EDS, node, resourceNames } from '../helpers/ads-client.js';

configureLogging('off');

/** A sample's value in Prometheus text, 0 when the series is absent. */
async function sample(rt: Runtime, series: string): Promise<number> {
  const text = await rt.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

interface Cp {
  readonly rt: Runtime;
  readonly server: RunningServer;
  readonly abort: AbortController;
}

const running: Cp[] = [];
afterEach(async () => {
  for (const cp of running.splice(0)) {
    cp.abort.abort();
    await cp.server.stopped;
  }
});

async function startCp(name: string): Promise<Cp> {
  const config = configSchema.parse({ dpServer: { port: 0, interface: '127.0.0.1', authn: { dpProxy: { type: 'none' } } }, xdsServer: { debounce: '10ms' } });
  const rt = buildRuntime(config, new MemoryStore(), { instanceId: name, meshDefaults: true });
  await rt.manager.create('Mesh', { name: 'default', mesh: '' }, {});
  await rt.manager.create('Dataplane', { name: 'dp-1', mesh: 'default' }, { networking: { address: '10.0.0.1', inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': 'backend' } }] } });
  const abort = new AbortController();
  const cp = { rt, abort, server: await runDpServer(rt, realGenerators, abort.signal) };
  running.push(cp);
  return cp;
}

/**
 * Two control planes in one process (issue 8 point 5): each runtime has its own metrics registry and metric
 * sets, so what one serves is not counted by the other.
 */
describe('two control planes in one process', () => {
  it('count their xDS streams and responses in their own registries', async () => {
    const a = await startCp('cp-a');
    const b = await startCp('cp-b');
    expect(a.rt.metrics.registry).not.toBe(b.rt.metrics.registry);
    expect(a.rt.metrics.of(createXdsMetrics)).toBe(a.rt.metrics.of(createXdsMetrics));
    expect(a.rt.metrics.of(createXdsMetrics)).not.toBe(b.rt.metrics.of(createXdsMetrics));

    const client = new AdsTestClient(`127.0.0.1:${a.server.port}`);
    try {
      const s = client.sotw();
      // An unknown cluster is answered with an empty ClusterLoadAssignment from A's dp-server memo.
      s.send({ type_url: CDS, node: node({ id: 'default.dp-1' }) }).send({ type_url: EDS, resource_names: ['not-a-cluster'] });
      await s.next(CDS);
      expect(resourceNames(await s.next(EDS))).toEqual(['not-a-cluster']);
      expect(await sample(a.rt, 'xds_streams_active{kind="envoy"}')).toBe(1);
      expect(await sample(a.rt, `xds_responses_sent{type_url="${CDS}"}`)).toBeGreaterThanOrEqual(1);
      expect(await sample(b.rt, 'xds_streams_active{kind="envoy"}')).toBe(0);
      expect(await sample(b.rt, `xds_responses_sent{type_url="${CDS}"}`)).toBe(0);
    } finally {
      client.close();
    }
  });

  it('count DNS resolutions separately', async () => {
    const config = configSchema.parse({});
    const a = buildRuntime(config, new MemoryStore(), { instanceId: 'a' });
    const b = buildRuntime(config, new MemoryStore(), { instanceId: 'b' });
    a.metrics.of(createDnsMetrics).countResolution('resolved', 'udp');
    b.metrics.of(createDnsMetrics);
    expect(await sample(a, 'dns_server_resolution{result="resolved",transport="udp"}')).toBe(1);
    expect(await sample(b, 'dns_server_resolution{result="resolved",transport="udp"}')).toBe(0);
  });

  it('count refused connections against their own connection budget', async () => {
    const config = configSchema.parse({});
    const a = buildRuntime(config, new MemoryStore(), { instanceId: 'a' });
    const b = buildRuntime(config, new MemoryStore(), { instanceId: 'b' });
    a.connections.budget.countRefused('api-server', 'per_port');
    expect(await sample(a, 'cp_connections_refused_total{server="api-server",reason="per_port"}')).toBe(1);
    expect(await sample(b, 'cp_connections_refused_total{server="api-server",reason="per_port"}')).toBe(0);
  });
});
