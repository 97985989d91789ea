import { buildRuntime } from '../core/runtime/bootstrap.js';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/schema.js';
import { MemoryStore } from '../plugins/store/memory/memory-store.js';
import { apiServerComponent } from './api-server.js';
import { GLOBAL_READ_ONLY_MESSAGE, REMOTE_READ_ONLY_MESSAGE } from './read-only.js';
import { startTestApi, type TestApi } from '../../test/helpers/api-test-server.js';

const DATAPLANE_YAML = `type: Dataplane
mesh: default
name: web-1
networking:
  address: 192.168.0.1
  inbound:
  - port: 11011
    servicePort: 11012
    tags:
      kuma.io/service: web
      version: v1
`;

const T0 = '2026-01-02T03:04:05Z';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

async function start(opts: Parameters<typeof startTestApi>[0] = {}): Promise<TestApi> {
  api = await startTestApi(opts);
  return api;
}

function put(a: TestApi, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return fetch(`${a.url}${path}`, { method: 'PUT', body: text, headers: { 'content-type': 'application/json', ...headers } });
}

/** Sends raw bytes and returns the raw response (or '' if the server closed without one). */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(err)));
    socket.end(bytes);
  });
}

describe('api-server: index', () => {
  it('serves GET /, /config and /versions', async () => {
    const a = await start();
    const index = (await (await fetch(`${a.url}/`)).json()) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect(index).toMatchObject({ tagline: 'Kuma', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(typeof index['hostname']).toBe('string');
    const config = (await (await fetch(`${a.url}/config`)).json()) as { apiServer: { http: { port: number } }; mode: string };
    expect(config.mode).toBe('standalone');
    const versions = (await (await fetch(`${a.url}/versions`)).json()) as { kumaDp: Record<string, { envoy: string }> };
    expect(versions.kumaDp['1.0.0']).toEqual({ envoy: '1.16.0' });
  });
});

describe('api-server: resources', () => {
  it('lists mesh default with its default policies', async () => {
    const a = await start();
    const meshes = (await (await fetch(`${a.url}/meshes`)).json()) as { total: number; items: { type: string; name: string; mesh?: string }[]; next: null };
    expect(meshes.total).toBe(1);
    expect(meshes.next).toBeNull();
    expect(meshes.items[0]).toMatchObject({ type: 'Mesh', name: 'default' });
    expect(meshes.items[0]).not.toHaveProperty('mesh');
    const mesh = await fetch(`${a.url}/meshes/default`);
    expect(mesh.status).toBe(200);
    expect(mesh.headers.get('etag')).toBe('"1"');
    for (const [path, name] of [
      ['traffic-permissions', 'allow-all-default'],
      ['traffic-routes', 'route-all-default'],
      ['timeouts', 'timeout-all-default'],
      ['retries', 'retry-all-default'],
    ]) {
      const list = (await (await fetch(`${a.url}/meshes/default/${path}`)).json()) as { items: { name: string; mesh: string }[] };
      expect(list.items.map((i) => i.name)).toEqual([name]);
      expect(list.items[0]?.mesh).toBe('default');
    }
  });

  it('creates from YAML (201), updates (200), reads, deletes (200) and then 404s', async () => {
    const a = await start();
    const created = await put(a, '/meshes/default/dataplanes/web-1', DATAPLANE_YAML, { 'content-type': 'application/yaml' });
    expect(created.status).toBe(201);
    expect(await created.text()).toBe('');
    const got = (await (await fetch(`${a.url}/meshes/default/dataplanes/web-1`)).json()) as Record<string, unknown>;
    expect(got).toMatchObject({ type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '192.168.0.1' } });
    expect(Object.keys(got).slice(0, 5)).toEqual(['type', 'mesh', 'name', 'creationTime', 'modificationTime']);

    const updated = await put(a, '/meshes/default/dataplanes/web-1', DATAPLANE_YAML.replace('192.168.0.1', '192.168.0.2'), { 'content-type': 'text/yaml' });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('"2"');
    expect((await a.manager.get('Dataplane', { mesh: 'default', name: 'web-1' })).spec).toMatchObject({ networking: { address: '192.168.0.2' } });

    const across = (await (await fetch(`${a.url}/dataplanes`)).json()) as { total: number };
    expect(across.total).toBe(1);

    const deleted = await fetch(`${a.url}/meshes/default/dataplanes/web-1`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await deleted.text()).toBe('');
    const missing = await fetch(`${a.url}/meshes/default/dataplanes/web-1`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ title: 'Could not retrieve a resource', details: 'Not found' });
    expect((await fetch(`${a.url}/meshes/default/dataplanes/web-1`, { method: 'DELETE' })).status).toBe(404);
  });

  it('sniffs a body without a known content type', async () => {
    const a = await start();
    const res = await fetch(`${a.url}/meshes/other`, { method: 'PUT', body: 'type: Mesh\nname: other\n' });
    expect(res.status).toBe(201);
  });

  it('refuses body/URL mismatches with every cause and writes nothing', async () => {
    const a = await start();
    const res = await put(a, '/meshes/default/dataplanes/web-1', { type: 'Mesh', mesh: 'other', name: 'web-2', networking: {} });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      title: 'Could not process a resource',
      details: 'Resource is not valid',
      causes: [
        { field: 'name', message: 'name from the URL has to be the same as in body' },
        { field: 'mesh', message: 'mesh from the URL has to be the same as in body' },
        { field: 'type', message: 'type from the URL has to be the same as in body' },
      ],
    });
    expect(await a.store.list('Dataplane')).toEqual([]);
  });

  it('refuses a resource in a missing mesh with 400 Mesh is not found', async () => {
    const a = await start();
    const res = await put(a, '/meshes/nope/traffic-routes/r1', {
      type: 'TrafficRoute',
      mesh: 'nope',
      name: 'r1',
      sources: [{ match: { 'kuma.io/service': '*' } }],
      destinations: [{ match: { 'kuma.io/service': '*' } }],
      conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }] },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      title: 'Could not process a resource',
      details: 'Mesh is not found',
      causes: [{ field: 'mesh', message: 'mesh of name nope is not found' }],
    });
  });

  it('names the missing mesh when a data-plane token is asked for it', async () => {
    const a = await start();
    const res = await fetch(`${a.url}/tokens/dataplane`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mesh: 'nope', name: 'web-1' }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ title: 'Could not issue a token', details: 'Mesh is not found', causes: [{ field: 'mesh', message: 'mesh of name nope is not found' }] });
  });

  it('refuses invalid names with every violation', async () => {
    const a = await start();
    const res = await put(a, '/meshes/Bad%20Mesh/traffic-routes/Bad.Name', { type: 'TrafficRoute', mesh: 'Bad Mesh', name: 'Bad.Name' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { causes: { field: string }[] };
    expect(body.causes.map((c) => c.field)).toEqual(expect.arrayContaining(['name', 'mesh']));
  });

  it('applies optimistic concurrency from If-Match or a body version', async () => {
    const a = await start();
    const mesh = { type: 'Mesh', name: 'm1' };
    expect((await put(a, '/meshes/m1', { ...mesh, version: 1 })).status).toBe(409);
    expect((await put(a, '/meshes/m1', mesh)).status).toBe(201);
    const stale = await put(a, '/meshes/m1', mesh, { 'if-match': '"7"' });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as { details: string }).details).toMatch(/modified concurrently/);
    expect((await put(a, '/meshes/m1', { ...mesh, version: 5 })).status).toBe(409);
    expect((await a.manager.get('Mesh', { name: 'm1', mesh: '' })).meta.version).toBe(1);
    const ok = await put(a, '/meshes/m1', mesh, { 'if-match': '"1"' });
    expect(ok.status).toBe(200);
    expect((await put(a, '/meshes/m1', { ...mesh, version: 2 })).status).toBe(200);
    expect((await put(a, '/meshes/m1', mesh)).status).toBe(200);
  });

  it('refuses to delete a mesh that still has dataplanes', async () => {
    const a = await start();
    expect((await put(a, '/meshes/default/dataplanes/web-1', DATAPLANE_YAML, { 'content-type': 'application/yaml' })).status).toBe(201);
    const res = await fetch(`${a.url}/meshes/default`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { details: string }).details).toMatch(/still some dataplanes/);
  });

  it('refuses writes to types the control plane owns and to KDS-synced resources', async () => {
    const a = await start();
    const insight = await put(a, '/meshes/default/dataplane-insights/web-1', { type: 'DataplaneInsight', mesh: 'default', name: 'web-1' });
    expect(insight.status).toBe(405);
    expect(insight.headers.get('content-type')).toBe('application/json');
    await a.manager.create('Zone', { name: 'zone-2', mesh: '' }, { enabled: true }, { labels: { 'kuma.io/origin': 'global' } });
    expect((await put(a, '/zones/zone-2', { type: 'Zone', name: 'zone-2', enabled: false })).status).toBe(405);
    expect((await fetch(`${a.url}/zones/zone-2`, { method: 'DELETE' })).status).toBe(405);
    expect((await a.manager.get('Zone', { name: 'zone-2', mesh: '' })).spec).toEqual({ enabled: true });
  });
});

describe('api-server: modes', () => {
  it('remote answers a JSON 405 to policy writes but accepts Dataplanes', async () => {
    const a = await start({ mode: 'remote' });
    const res = await put(a, '/meshes/default/traffic-routes/r1', { type: 'TrafficRoute', mesh: 'default', name: 'r1' });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ title: 'Method not allowed', details: REMOTE_READ_ONLY_MESSAGE });
    expect((await fetch(`${a.url}/meshes/default`, { method: 'DELETE' })).status).toBe(405);
    expect((await put(a, '/meshes/default/dataplanes/web-1', DATAPLANE_YAML, { 'content-type': 'application/yaml' })).status).toBe(201);
  });

  it('global answers 405 to Dataplane writes but accepts policies', async () => {
    const a = await start({ mode: 'global' });
    const res = await put(a, '/meshes/default/dataplanes/web-1', DATAPLANE_YAML, { 'content-type': 'application/yaml' });
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ title: 'Method not allowed', details: GLOBAL_READ_ONLY_MESSAGE });
    expect((await put(a, '/meshes/m2', { type: 'Mesh', name: 'm2' })).status).toBe(201);
  });
});

describe('api-server: lists', () => {
  async function seed(a: TestApi, meshes: string[], perMesh: number): Promise<void> {
    for (const m of meshes) {
      if (m !== 'default') await a.manager.create('Mesh', { name: m, mesh: '' }, {});
      for (let i = 0; i < perMesh; i++) {
        await a.manager.create('Dataplane', { name: `dp-${i}`, mesh: m }, { networking: { address: `10.0.0.${i}`, inbound: [{ port: 80, tags: { 'kuma.io/service': i % 2 ? 'odd' : 'even' } }] } });
      }
    }
  }

  it('pages with total, items and an absolute next URL from the Host header', async () => {
    const a = await start();
    await seed(a, ['default'], 5);
    const first = (await (await fetch(`${a.url}/meshes/default/dataplanes?size=2`)).json()) as { total: number; items: { name: string }[]; next: string };
    expect(first.total).toBe(5);
    expect(first.items.map((i) => i.name)).toEqual(['dp-0', 'dp-1']);
    expect(first.next).toBe(`${a.url}/meshes/default/dataplanes?offset=2&size=2`);
    const last = (await (await fetch(`${a.url}/meshes/default/dataplanes?size=2&offset=4`)).json()) as { items: { name: string }[]; next: null };
    expect(last.items.map((i) => i.name)).toEqual(['dp-4']);
    expect(last.next).toBeNull();
  });

  it('refuses bad size and offset with 400', async () => {
    const a = await start();
    const big = await fetch(`${a.url}/meshes?size=1001`);
    expect(big.status).toBe(400);
    expect(await big.json()).toMatchObject({ title: 'Invalid page size', causes: [{ field: 'size' }] });
    const off = await fetch(`${a.url}/meshes?offset=abc`);
    expect(off.status).toBe(400);
    expect(await off.json()).toMatchObject({ title: 'Invalid offset' });
  });

  it('lists across meshes sorted by mesh then name', async () => {
    const a = await start();
    await seed(a, ['default', 'alpha'], 2);
    const all = (await (await fetch(`${a.url}/dataplanes`)).json()) as { items: { mesh: string; name: string }[] };
    expect(all.items.map((i) => `${i.mesh}/${i.name}`)).toEqual(['alpha/dp-0', 'alpha/dp-1', 'default/dp-0', 'default/dp-1']);
  });

  it('serves dataplanes+insights with filters and paging', async () => {
    const a = await start();
    await seed(a, ['default', 'alpha'], 3);
    await a.manager.create('DataplaneInsight', { name: 'dp-0', mesh: 'default' }, { subscriptions: [{ id: 's', controlPlaneInstanceId: 'cp', connectTime: T0 }] });
    type Overview = { type: string; mesh: string; name: string; dataplane: unknown; dataplaneInsight: { subscriptions?: unknown[] } };
    const one = (await (await fetch(`${a.url}/meshes/default/dataplanes+insights/dp-0`)).json()) as Overview;
    expect(one).toMatchObject({ type: 'DataplaneOverview', mesh: 'default', name: 'dp-0', dataplane: { networking: { address: '10.0.0.0' } } });
    expect(one.dataplaneInsight.subscriptions).toHaveLength(1);
    const mesh = (await (await fetch(`${a.url}/meshes/default/dataplanes+insights?tag=kuma.io/service:odd`)).json()) as { total: number; items: Overview[] };
    expect(mesh.items.map((i) => i.name)).toEqual(['dp-1']);
    expect(mesh.items[0]?.dataplaneInsight).toEqual({});
    const all = (await (await fetch(`${a.url}/dataplanes+insights?tag=kuma.io/service:even&size=1`)).json()) as { total: number; next: string };
    expect(all.total).toBe(4);
    expect(all.next).toBe(`${a.url}/dataplanes+insights?offset=1&size=1&tag=kuma.io%2Fservice%3Aeven`);
    expect((await fetch(`${a.url}/meshes/default/dataplanes+insights/missing`)).status).toBe(404);
    expect((await fetch(`${a.url}/dataplanes+insights?gateway=yes`)).status).toBe(400);
  });

  it('serves zones+insights and status/zones', async () => {
    const a = await start({ mode: 'global' });
    await a.manager.create('Zone', { name: 'zone-1', mesh: '' }, { enabled: true });
    await a.manager.create('Zone', { name: 'zone-2', mesh: '' }, { enabled: false });
    await a.manager.create('ZoneInsight', { name: 'zone-1', mesh: '' }, { subscriptions: [{ id: 'a', globalInstanceId: 'g', connectTime: T0 }] });
    await a.manager.create('ZoneInsight', { name: 'zone-2', mesh: '' }, { subscriptions: [{ id: 'b', globalInstanceId: 'g', connectTime: T0 }] });
    expect(await (await fetch(`${a.url}/status/zones`)).json()).toEqual([
      { name: 'zone-1', active: true },
      { name: 'zone-2', active: false },
    ]);
    const list = (await (await fetch(`${a.url}/zones+insights`)).json()) as { total: number; items: { type: string; zone: { enabled: boolean } }[] };
    expect(list.total).toBe(2);
    expect(list.items.map((i) => [i.type, i.zone.enabled])).toEqual([
      ['ZoneOverview', true],
      ['ZoneOverview', false],
    ]);
    expect(await (await fetch(`${a.url}/zones+insights/zone-1`)).json()).toMatchObject({ name: 'zone-1', zoneInsight: { subscriptions: [{ id: 'a' }] } });
  });
});

describe('api-server: bad requests never hurt the process', () => {
  it('answers 404 for unknown paths and types, 405 for unknown methods', async () => {
    const a = await start();
    expect((await fetch(`${a.url}/meshes/default/unknown-things`)).status).toBe(404);
    expect((await fetch(`${a.url}/unknown-things`)).status).toBe(404);
    expect((await fetch(`${a.url}/meshes/default/dataplanes/a/b`)).status).toBe(404);
    const post = await fetch(`${a.url}/meshes`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ title: 'Method not allowed', details: 'this path answers GET; resources are written with PUT (kumactl apply -f FILE)' });
    expect((await fetch(`${a.url}/meshes/default`, { method: 'PATCH', body: '{}' })).status).toBe(405);
  });

  it('answers 400 for malformed JSON, YAML, UTF-8 and non-object bodies', async () => {
    const a = await start();
    const json = await put(a, '/meshes/m', '{"type": "Mesh", "name": ');
    expect(json.status).toBe(400);
    expect(((await json.json()) as { details: string }).details).toMatch(/is not valid JSON: /);
    const yaml = await put(a, '/meshes/m', 'type: Mesh\nname: [m\n', { 'content-type': 'application/yaml' });
    expect(yaml.status).toBe(400);
    expect(((await yaml.json()) as { details: string }).details).toMatch(/is not valid YAML at line \d+, column \d+: [a-z]/);
    const bad = await fetch(`${a.url}/meshes/m`, { method: 'PUT', body: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect((await put(a, '/meshes/m', '[1,2]')).status).toBe(400);
    expect((await put(a, '/meshes/m', '')).status).toBe(400);
    expect((await fetch(`${a.url}/meshes/%E0%A4%A`)).status).toBe(400);
    expect(await a.store.find('Mesh', { name: 'm', mesh: '' })).toBeUndefined();
  });

  it('answers 413 to a body over the limit, declared or chunked, and keeps serving', async () => {
    const a = await start({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ type: 'Mesh', name: 'm', pad: 'x'.repeat(4096) });
    const declared = await put(a, '/meshes/m', big);
    expect(declared.status).toBe(413);
    function* chunks(): Generator<Uint8Array> {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(512, 0x20);
    }
    const chunked = await fetch(`${a.url}/meshes/m`, { method: 'PUT', body: ReadableStream.from(chunks()), duplex: 'half' });
    expect(chunked.status).toBe(413);
    expect(await a.store.find('Mesh', { name: 'm', mesh: '' })).toBeUndefined();
    expect((await fetch(`${a.url}/meshes/default`)).status).toBe(200);
  });

  it('survives garbage, huge headers and truncated bodies', async () => {
    const a = await start();
    expect(await raw(a.port, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1.1 400/);
    expect(await raw(a.port, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0d, 0x0a, 0x0d, 0x0a]))).toMatch(/^HTTP\/1.1 400/);
    expect(await raw(a.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1.1 431/);
    expect(await raw(a.port, 'PUT /meshes/m HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type":')).toMatch(/^(HTTP\/1\.1 400[^]*)?$/);
    expect(await raw(a.port, 'GET /meshes/default HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1.1 200/);
  });
});

describe('api-server: lifecycle', () => {
  it('rejects start with a clear message when the port is taken', async () => {
    const a = await start();
    const config = configSchema.parse({ apiServer: { http: { interface: '127.0.0.1', port: a.port } } });
    const store = new MemoryStore();
    const component = apiServerComponent(buildRuntime(config, store, { instanceId: 'second', meshDefaults: true }), {
      matchPolicies: () => [],
      xds: () => undefined,
      dryRun: () => Promise.reject(new Error('not used')),
    });
    expect(component.name).toBe('api-server');
    await expect(component.start(new AbortController().signal, () => undefined)).rejects.toThrow(`port ${a.port} on 127.0.0.1 is already in use (api-server)`);
  });

  it('stops when the signal aborts and frees the port', async () => {
    const a = await startTestApi();
    await a.stop();
    await expect(fetch(`${a.url}/`)).rejects.toThrow();
  });
});
