import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';
import { AdsTestClient, CDS, ack, decodeResource, node, type TestStream } from '../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { dataplaneToken } from '../helpers/tokens.js';

/**
 * Issue 15 point 6 on the built daemon, over its public ports: HealthCheck and CircuitBreaker applied with the
 * REST API reach an Envoy node's clusters over ADS with every field (jitters, panic threshold, headers, local
 * origin detectors); two ExternalServices of one service become one cluster whose TLS endpoint has its own
 * transport socket match with SAN verification, and deleting one of them turns it back into a plain cluster.
 */
async function api(cp: CpProcess, method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

type Cluster = Record<string, unknown> & { name: string };

/** The cluster `name` of the latest CDS push passing `check`: the last one received, else the next ones (each response ACKed). */
async function clusterUntil(s: TestStream<DiscoveryRequest, DiscoveryResponse>, name: string, check: (c: Cluster) => void, timeoutMs = 15_000): Promise<Cluster> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown = new Error(`no CDS push with cluster ${name}`);
  const tryCds = (res: DiscoveryResponse | undefined): Cluster | undefined => {
    const cluster = res?.resources.map((r) => decodeResource(r) as Cluster).find((c) => c.name === name);
    if (!cluster) return undefined;
    try {
      check(cluster);
      return cluster;
    } catch (err) {
      lastError = err;
      return undefined;
    }
  };
  const seen = tryCds([...s.received].reverse().find((r) => r.type_url === CDS));
  if (seen) return seen;
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw lastError;
    const res = await s.next(undefined, remaining).catch(() => {
      throw lastError;
    });
    s.send(ack(res));
    const cluster = res.type_url === CDS ? tryCds(res) : undefined;
    if (cluster) return cluster;
  }
}

const everywhere = { sources: [{ match: { 'kuma.io/service': 'web' } }], destinations: [{ match: { 'kuma.io/service': '*' } }] };
const dataplane = (name: string, service: string, port: number, outbound: string[] = []) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: {
    address: '127.0.0.1',
    inbound: [{ port, servicePort: port + 1, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
    outbound: outbound.map((s, i) => ({ port: 10001 + i, tags: { 'kuma.io/service': s } })),
  },
});
const externalService = (name: string, address: string, tls?: Record<string, unknown>) => ({
  type: 'ExternalService',
  mesh: 'default',
  name,
  networking: { address, ...(tls ? { tls } : {}) },
  tags: { 'kuma.io/service': 'payments', 'kuma.io/protocol': 'http' },
});

describe('cluster policies over ADS (built daemon)', () => {
  let cp: CpProcess;
  let client: AdsTestClient;
  let stream: TestStream<DiscoveryRequest, DiscoveryResponse>;

  beforeAll(async () => {
    cp = await startCp();
    await api(cp, 'PUT', '/meshes/default/dataplanes/web-1', dataplane('web-1', 'web', 8080, ['backend', 'payments']));
    await api(cp, 'PUT', '/meshes/default/dataplanes/backend-1', dataplane('backend-1', 'backend', 9090));
    await api(cp, 'PUT', '/meshes/default/health-checks/web-hc', {
      type: 'HealthCheck',
      mesh: 'default',
      name: 'web-hc',
      ...everywhere,
      conf: {
        interval: '10s',
        timeout: '2s',
        unhealthyThreshold: 3,
        healthyThreshold: 2,
        initialJitter: '1s',
        intervalJitter: '500ms',
        intervalJitterPercent: 10,
        healthyPanicThreshold: 40,
        failTrafficOnPanic: true,
        reuseConnection: false,
        http: { path: '/health', requestHeadersToAdd: [{ header: { key: 'x-hc', value: 'kuma' }, append: false }], expectedStatuses: [200] },
      },
    });
    await api(cp, 'PUT', '/meshes/default/circuit-breakers/web-cb', {
      type: 'CircuitBreaker',
      mesh: 'default',
      name: 'web-cb',
      ...everywhere,
      conf: { splitExternalAndLocalErrors: true, detectors: { localErrors: { consecutive: 4 }, standardDeviation: { factor: 2.5 } } },
    });
    await api(cp, 'PUT', '/meshes/default/external-services/payments-tls', externalService('payments-tls', '203.0.113.7:443', { enabled: true, serverName: 'pay.example.com', caCert: { inline: 'Y2E=' }, allowRenegotiation: true }));
    await api(cp, 'PUT', '/meshes/default/external-services/payments-plain', externalService('payments-plain', 'plain.pay.example.com:80'));
    client = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
    stream = client.sotw(await dataplaneToken(cp, { mesh: 'default', name: 'web-1' }));
    stream.send({ type_url: CDS, node: node({ id: 'default.web-1' }) });
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await stopAll();
  });

  it('gives the mesh cluster the HealthCheck with every field and the CircuitBreaker local-origin detectors', async () => {
    const backend = await clusterUntil(stream, 'backend', (c) => expect(c['health_checks']).toBeDefined());
    expect(backend['common_lb_config']).toEqual({ healthy_panic_threshold: { value: 40 }, zone_aware_lb_config: { fail_traffic_on_panic: true } });
    expect(backend['health_checks']).toEqual([
      {
        timeout: { seconds: '2' },
        interval: { seconds: '10' },
        initial_jitter: { seconds: '1' },
        interval_jitter: { seconds: '0', nanos: 500_000_000 },
        interval_jitter_percent: 10,
        unhealthy_threshold: { value: 3 },
        healthy_threshold: { value: 2 },
        reuse_connection: { value: false },
        http_health_check: { path: '/health', request_headers_to_add: [{ header: { key: 'x-hc', value: 'kuma' }, append: { value: false } }], expected_statuses: [{ start: '200', end: '201' }] },
      },
    ]);
    expect(backend['outlier_detection']).toMatchObject({
      split_external_local_origin_errors: true,
      consecutive_local_origin_failure: { value: 4 },
      enforcing_consecutive_local_origin_failure: { value: 100 },
      success_rate_stdev_factor: { value: 2500 },
      enforcing_success_rate: { value: 100 },
      enforcing_local_origin_success_rate: { value: 100 },
      enforcing_failure_percentage: {},
      enforcing_failure_percentage_local_origin: {},
    });
  });

  it('merges two ExternalServices of one service into one cluster, the TLS one with its own verified transport socket', async () => {
    const payments = await clusterUntil(stream, 'payments', (c) => expect(c['transport_socket_matches']).toBeDefined());
    expect(payments['type']).toBe('STRICT_DNS');
    const endpoints = ((payments['load_assignment'] as { endpoints: { lb_endpoints: { endpoint: { address: { socket_address: { address: string } } }; metadata?: unknown }[] }[] }).endpoints[0]?.lb_endpoints ?? []).map((e) => [
      e.endpoint.address.socket_address.address,
      JSON.stringify(e.metadata ?? null).includes('payments-tls'),
    ]);
    expect(endpoints).toEqual([
      ['plain.pay.example.com', false],
      ['203.0.113.7', true],
    ]);
    expect(payments['transport_socket']).toBeUndefined();
    const matches = payments['transport_socket_matches'] as { name: string; transport_socket: { typed_config: { value: Uint8Array; type_url: string } } }[];
    expect(matches.map((m) => m.name)).toEqual(['payments-tls']);
    const tls: unknown = decodeResource(matches[0]!.transport_socket.typed_config);
    expect(tls).toEqual({
      sni: 'pay.example.com',
      allow_renegotiation: true,
      common_tls_context: { validation_context: { trusted_ca: { inline_bytes: expect.anything() as unknown }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'pay.example.com' } }] } },
    });
  });

  it('goes back to one endpoint with the cluster-wide transport socket when the plain ExternalService is deleted', async () => {
    await api(cp, 'DELETE', '/meshes/default/external-services/payments-plain');
    const payments = await clusterUntil(stream, 'payments', (c) => expect(c['transport_socket']).toBeDefined());
    expect(payments['type']).toBe('STATIC');
    expect(payments['transport_socket_matches']).toBeUndefined();
  });
});
