import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../helpers/cp-process.js';

/** The Universal Dataplane example of Kuma's docs. */
const DATAPLANE_YAML = `type: Dataplane
mesh: default
name: web-01
networking:
  address: 192.168.0.1
  inbound:
    - port: 11011
      servicePort: 11012
      tags:
        kuma.io/service: backend
        kuma.io/protocol: http
  outbound:
    - port: 33033
      tags:
        kuma.io/service: redis
`;

let cp: CpProcess;
beforeAll(async () => {
  cp = await startCp();
});
afterAll(stopAll);

function put(path: string, body: string | Buffer, contentType = 'application/json', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${cp.apiUrl}${path}`, { method: 'PUT', body, headers: { 'content-type': contentType, ...headers } });
}

async function json<T>(path: string): Promise<T> {
  const res = await fetch(`${cp.apiUrl}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

interface List<T = { name: string; mesh?: string }> {
  total: number;
  items: T[];
  next: string | null;
}

describe('REST API of kuma-cp run (standalone)', () => {
  it('serves GET / with Kuma tagline and version', async () => {
    const index = await json<{ hostname: string; tagline: string; version: string }>('/');
    expect(index.tagline).toBe('Kuma');
    expect(index.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(index.hostname.length).toBeGreaterThan(0);
  });

  it('lists mesh default with its 4 default policies', async () => {
    const meshes = await json<List>('/meshes');
    expect(meshes.items.map((m) => m.name)).toContain('default');
    const expected: [string, string][] = [
      ['traffic-permissions', 'allow-all-default'],
      ['traffic-routes', 'route-all-default'],
      ['timeouts', 'timeout-all-default'],
      ['retries', 'retry-all-default'],
    ];
    for (const [path, name] of expected) {
      const list = await json<List>(`/meshes/default/${path}`);
      expect(list.items.map((i) => i.name), path).toEqual([name]);
    }
  });

  it('accepts the docs Dataplane as YAML and shows it in dataplanes+insights', async () => {
    const res = await put('/meshes/default/dataplanes/web-01', DATAPLANE_YAML, 'application/yaml');
    expect(res.status).toBe(201);
    const dp = await json<Record<string, unknown>>('/meshes/default/dataplanes/web-01');
    expect(dp).toMatchObject({ type: 'Dataplane', mesh: 'default', name: 'web-01', networking: { address: '192.168.0.1' } });
    const overviews = await json<List<{ type: string; name: string; dataplane: { networking: { inbound: unknown[] } }; dataplaneInsight: unknown }>>(
      '/meshes/default/dataplanes+insights',
    );
    const web = overviews.items.find((i) => i.name === 'web-01');
    expect(web).toMatchObject({ type: 'DataplaneOverview', dataplane: { networking: { address: '192.168.0.1' } } });
    const across = await json<List>('/dataplanes+insights?tag=kuma.io/service:backend');
    expect(across.items.map((i) => i.name)).toContain('web-01');
    expect((await put('/meshes/default/dataplanes/web-01', DATAPLANE_YAML, 'application/yaml')).status).toBe(200);
  });
});

describe('REST API refusals write nothing', () => {
  async function expectNoMesh(name: string): Promise<void> {
    expect((await fetch(`${cp.apiUrl}/meshes/${name}`)).status).toBe(404);
  }

  it('answers 400 to malformed JSON and YAML', async () => {
    const badJson = await put('/meshes/m-json', '{"type":"Mesh","name":"m-json"');
    expect(badJson.status).toBe(400);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect(await badJson.json()).toMatchObject({ causes: [{ field: 'body', message: expect.stringMatching(/is not valid JSON: /) }] });
    const badYaml = await put('/meshes/m-yaml', 'type: Mesh\nname: m-yaml\n  bad: [indent', 'application/yaml');
    expect(badYaml.status).toBe(400);
    await expectNoMesh('m-json');
    await expectNoMesh('m-yaml');
  });

  it('answers 413 to a body over 1 MiB', async () => {
    const body = JSON.stringify({ type: 'Mesh', name: 'm-big', pad: 'x'.repeat(1024 * 1024) });
    const res = await put('/meshes/m-big', body);
    expect(res.status).toBe(413);
    await expectNoMesh('m-big');
  });

  it('answers 400 with causes when name or mesh differ from the URL', async () => {
    const res = await put('/meshes/default/traffic-routes/r1', JSON.stringify({ type: 'TrafficRoute', mesh: 'other', name: 'r2' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      title: 'Could not process a resource',
      details: 'Resource is not valid',
      causes: [
        { field: 'name', message: 'name from the URL has to be the same as in body' },
        { field: 'mesh', message: 'mesh from the URL has to be the same as in body' },
      ],
    });
    expect((await fetch(`${cp.apiUrl}/meshes/default/traffic-routes/r1`)).status).toBe(404);
  });

  it('answers 400 Mesh is not found for a resource in a missing mesh', async () => {
    const res = await put('/meshes/nowhere/dataplanes/web-01', DATAPLANE_YAML.replace('mesh: default', 'mesh: nowhere'), 'application/yaml');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      title: 'Could not process a resource',
      details: 'Mesh is not found',
      causes: [{ field: 'mesh', message: 'mesh of name nowhere is not found' }],
    });
  });

  it('answers 404 to an unknown type path', async () => {
    expect((await fetch(`${cp.apiUrl}/meshes/default/no-such-things`)).status).toBe(404);
    expect((await fetch(`${cp.apiUrl}/no-such-things`)).status).toBe(404);
    expect((await put('/meshes/default/no-such-things/x', '{}')).status).toBe(404);
  });

  it('answers 409 to a stale version and keeps the stored one', async () => {
    expect((await put('/meshes/m-versioned', JSON.stringify({ type: 'Mesh', name: 'm-versioned' }))).status).toBe(201);
    const current = await fetch(`${cp.apiUrl}/meshes/m-versioned`);
    const etag = current.headers.get('etag');
    expect(etag).toBe('"1"');
    const body = JSON.stringify({ type: 'Mesh', name: 'm-versioned', networking: { outbound: { passthrough: false } } });
    expect((await put('/meshes/m-versioned', body, 'application/json', { 'if-match': '"9"' })).status).toBe(409);
    expect((await put('/meshes/m-versioned', JSON.stringify({ ...JSON.parse(body), version: 9 }))).status).toBe(409);
    expect(await json<Record<string, unknown>>('/meshes/m-versioned')).not.toHaveProperty('networking');
    expect((await put('/meshes/m-versioned', body, 'application/json', { 'if-match': etag ?? '' })).status).toBe(200);
    expect((await put('/meshes/m-versioned', body, 'application/json', { 'if-match': etag ?? '' })).status).toBe(409);
  });

  it('answers 400 listing every violation of an invalid spec', async () => {
    const invalid = `type: Dataplane
mesh: default
name: broken
networking:
  address: ""
  inbound:
    - port: 0
      tags:
        version: v1
`;
    const res = await put('/meshes/default/dataplanes/broken', invalid, 'application/yaml');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { title: string; details: string; causes: { field: string; message: string }[] };
    expect(body.details).toBe('Resource is not valid');
    expect(body.causes.map((c) => c.field)).toEqual(
      expect.arrayContaining(['networking.address', 'networking.inbound[0].port', 'networking.inbound[0].tags["kuma.io/service"]']),
    );
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/broken`)).status).toBe(404);
  });

  it('keeps serving after garbage', async () => {
    expect((await fetch(`${cp.apiUrl}/meshes`, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await put('/meshes/x', Buffer.from([0xff, 0xfe, 0xfd]))).status).toBe(400);
    // A free-form conf nested 100k deep (well under 1 MiB) is refused, not a 500 from the store's serialiser.
    const depth = 100_000;
    const deep = `{"type":"Mesh","name":"deep","mtls":{"backends":[{"name":"ca","type":"builtin","conf":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}]}}`;
    const refused = await put('/meshes/deep', deep);
    expect(refused.status).toBe(400);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect(await refused.json()).toMatchObject({ causes: [{ field: 'body', message: expect.stringMatching(/nests deeper than/) }] });
    await expectNoMesh('deep');
    expect((await fetch(`${cp.apiUrl}/`)).status).toBe(200);
  });
});
