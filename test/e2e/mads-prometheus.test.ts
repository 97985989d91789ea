import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import type { DiscoveryRequest, DiscoveryResponse } from '../../src/grpc/discovery-service.js';
import { madsClient, MADS_TYPE_URL } from '../../src/mads/mads-proto.js';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';
import { freePort } from '../helpers/free-port.js';

/**
 * A real Prometheus (Debian `prometheus`, /usr/bin/prometheus) discovers the data planes through the CP's
 * MADS port and drops a deleted one. Debian builds Prometheus without its xDS discovery (its changelog:
 * "Disable XDS ... support"), so that Prometheus reads the `http_sd_configs` form of the assignments; the
 * `kuma_sd_configs` protocol (xDS REST, long-polled) is driven below exactly as Prometheus' discovery/xds
 * client sends it (POST, proto-name JSON, `fetch-timeout`, 304).
 */
const PROMETHEUS = '/usr/bin/prometheus';
/** How long any one expectation may take on a loaded machine; the test polls and never asserts timing. */
const PATIENCE_MS = 60_000;

afterAll(stopAll);

interface Target {
  discoveredLabels: Record<string, string>;
}

async function put(cp: CpProcess, path: string, body: object): Promise<void> {
  const res = await fetch(`${cp.apiUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.text()).toBeLessThan(300);
}

function dataplane(mesh: string, name: string, address: string, service: string, extra: object = {}): object {
  return {
    type: 'Dataplane',
    mesh,
    name,
    networking: { address, inbound: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/zone': 'zone-a', version: 'v1' } }] },
    ...extra,
  };
}

async function startPrometheus(madsPort: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const port = await freePort();
  // refresh_interval 1s: a deleted data plane is gone from Prometheus' targets within about a second.
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1h }',
      'scrape_configs:',
      '  - job_name: kuma-dataplanes',
      '    http_sd_configs:',
      `      - { url: "http://127.0.0.1:${madsPort}/http_sd", refresh_interval: 1s }`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=debug'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (log = (log + c).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + PATIENCE_MS;
  for (;;) {
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) break;
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not become ready: ${log.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function discovered(promUrl: string): Promise<Target[]> {
  const res = await fetch(`${promUrl}/api/v1/targets?state=any`);
  const body = (await res.json()) as { data: { activeTargets: Target[]; droppedTargets: Target[] } };
  return [...body.data.activeTargets, ...body.data.droppedTargets];
}

async function until(promUrl: string, want: (targets: Target[]) => boolean): Promise<Target[]> {
  const end = Date.now() + PATIENCE_MS;
  for (;;) {
    const targets = await discovered(promUrl);
    if (want(targets) || Date.now() > end) return targets;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const names = (targets: Target[]): string[] => targets.map((t) => t.discoveredLabels['__meta_kuma_dataplane'] ?? '').sort();

describe('MADS with a real Prometheus', () => {
  it('discovers every data plane of the meshes with a prometheus backend, with their labels, and drops a deleted one', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    expect(cp.ports.mads).toBeGreaterThan(0);
    await put(cp, '/meshes/observed', {
      type: 'Mesh',
      name: 'observed',
      metrics: { enabledBackend: 'prom', backends: [{ name: 'prom', type: 'prometheus', conf: { port: 5670, path: '/metrics' } }] },
    });
    await put(cp, '/meshes/quiet', { type: 'Mesh', name: 'quiet' });
    await put(cp, '/meshes/observed/dataplanes/web-1', dataplane('observed', 'web-1', '127.0.0.2', 'web'));
    await put(cp, '/meshes/observed/dataplanes/backend-1', dataplane('observed', 'backend-1', '127.0.0.3', 'backend'));
    await put(cp, '/meshes/observed/dataplanes/backend-2', dataplane('observed', 'backend-2', '127.0.0.4', 'backend', { metrics: { type: 'prometheus', conf: { port: 9102, path: '/stats' } } }));
    await put(cp, '/meshes/quiet/dataplanes/db-1', dataplane('quiet', 'db-1', '127.0.0.5', 'db'));

    const prometheus = await startPrometheus(cp.ports.mads ?? 0);
    try {
      const targets = await until(prometheus.url, (t) => t.length === 3);
      expect(names(targets)).toEqual(['backend-1', 'backend-2', 'web-1']);
      const byName = new Map(targets.map((t) => [t.discoveredLabels['__meta_kuma_dataplane'], t.discoveredLabels]));
      expect(byName.get('web-1')).toMatchObject({
        __meta_kuma_mesh: 'observed',
        __meta_kuma_service: 'web',
        __meta_kuma_dataplane: 'web-1',
        __meta_kuma_label_kuma_io_zone: 'zone-a',
        __meta_kuma_label_kuma_io_service: 'web',
        __meta_kuma_label_version: 'v1',
        __address__: '127.0.0.2:5670',
        __metrics_path__: '/metrics',
        __scheme__: 'http',
        job: 'kuma-dataplanes',
      });
      // The Dataplane's metrics override: its own port and path.
      expect(byName.get('backend-2')).toMatchObject({ __meta_kuma_service: 'backend', __address__: '127.0.0.4:9102', __metrics_path__: '/stats' });

      const del = await fetch(`${cp.apiUrl}/meshes/observed/dataplanes/backend-2`, { method: 'DELETE' });
      expect(del.status).toBe(200);
      const after = await until(prometheus.url, (t) => t.length === 2);
      expect(names(after)).toEqual(['backend-1', 'web-1']);
    } finally {
      await prometheus.stop();
      await cp.stop();
    }
  });
});

interface RestResponse {
  version_info: string;
  type_url: string;
  nonce: string;
  resources: { '@type': string; mesh: string; service: string; labels: Record<string, string>; targets: { name: string; scheme: string; address: string; metrics_path: string; labels: Record<string, string> }[] }[];
}

/** One fetch as Prometheus' discovery/xds HTTPResourceClient makes it. */
async function restFetch(cp: CpProcess, versionInfo: string, fetchTimeout: string): Promise<{ status: number; body?: RestResponse }> {
  const res = await fetch(`http://127.0.0.1:${cp.ports.mads}/v3/discovery:monitoringassignments?fetch-timeout=${fetchTimeout}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'Prometheus/2.42.0' },
    body: JSON.stringify({ version_info: versionInfo, response_nonce: '', type_url: MADS_TYPE_URL, resource_names: [], node: { id: 'prometheus-host' } }),
  });
  return res.status === 200 ? { status: 200, body: (await res.json()) as RestResponse } : { status: res.status };
}

describe('MADS xDS REST (the kuma_sd_configs protocol) and gRPC', () => {
  it('answers a new client at once, holds a current one until a change, and 304s after the fetch timeout', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    try {
      await put(cp, '/meshes/default', { type: 'Mesh', name: 'default', metrics: { enabledBackend: 'p', backends: [{ name: 'p', type: 'prometheus' }] } });
      await put(cp, '/meshes/default/dataplanes/web-1', dataplane('default', 'web-1', '127.0.0.2', 'web'));
      const first = await restFetch(cp, '', '2m0s');
      expect(first.status).toBe(200);
      expect(first.body?.type_url).toBe(MADS_TYPE_URL);
      const [assignment] = first.body?.resources ?? [];
      expect(first.body?.resources).toHaveLength(1);
      expect(assignment).toMatchObject({ '@type': MADS_TYPE_URL, mesh: 'default', service: 'web', labels: {} });
      expect(assignment?.targets).toHaveLength(1);
      expect(assignment?.targets[0]).toMatchObject({ name: 'web-1', scheme: 'http', address: '127.0.0.2:5670', metrics_path: '/metrics' });
      expect(assignment?.targets[0]?.labels).toMatchObject({ kuma_io_service: 'web', kuma_io_zone: 'zone-a', version: 'v1' });
      const version = first.body?.version_info ?? '';
      expect((await restFetch(cp, version, '300ms')).status).toBe(304);

      // Held until the next change: it carries the new data plane.
      const held = restFetch(cp, version, '2m0s');
      await new Promise((r) => setTimeout(r, 300));
      await put(cp, '/meshes/default/dataplanes/web-2', dataplane('default', 'web-2', '127.0.0.3', 'web'));
      const changed = await held;
      expect(changed.status).toBe(200);
      expect(changed.body?.version_info).not.toBe(version);
      expect(changed.body?.resources.map((r) => r.targets[0]?.name)).toEqual(['web-1', 'web-2']);

      // The same assignments over gRPC (SotW stream), then a push after a delete.
      const client = madsClient(`127.0.0.1:${cp.ports.mads}`) as unknown as grpc.Client & { StreamMonitoringAssignments(): grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse> };
      const call = client.StreamMonitoringAssignments();
      const responses: DiscoveryResponse[] = [];
      const next = (n: number): Promise<DiscoveryResponse> =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            const r = responses[n];
            if (!r) return;
            call.off('data', check);
            resolve(r);
          };
          call.on('data', check);
          call.once('error', reject);
          check();
        });
      call.on('data', (r: DiscoveryResponse) => responses.push(r));
      call.write({ type_url: MADS_TYPE_URL, node: { id: 'grpc-client' }, version_info: '' });
      const r0 = await next(0);
      expect(r0.version_info).toBe(changed.body?.version_info);
      expect(r0.resources.map((r) => r.type_url)).toEqual([MADS_TYPE_URL, MADS_TYPE_URL]);
      call.write({ type_url: MADS_TYPE_URL, version_info: r0.version_info, response_nonce: r0.nonce });
      const del = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/web-2`, { method: 'DELETE' });
      expect(del.status).toBe(200);
      const r1 = await next(1);
      expect(r1.resources).toHaveLength(1);
      expect(r1.version_info).toBe((await restFetch(cp, '', '0s')).body?.version_info);
      call.end();
      client.close();
    } finally {
      await cp.stop();
    }
  });
});
