import { afterEach, describe, expect, it } from 'vitest';
import { resourceTypes } from '../core/resources/registry.js';
import { startTestApi, type TestApi } from '../../test/helpers/api-test-server.js';

let api: TestApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

interface Answer {
  readonly status: number;
  readonly body: unknown;
}

async function call(a: TestApi, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${a.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : '' };
}

/** Every stored resource with its version: what must not move under a dry-run. */
async function storeState(a: TestApi): Promise<string[]> {
  const out: string[] = [];
  for (const t of resourceTypes) for (const r of await a.store.list(t.name)) out.push(`${t.name} ${r.meta.mesh}/${r.meta.name}@${r.meta.version}`);
  return out.sort();
}

/** The dry-run of a write, then the write itself: both answers, and the store state around the dry-run. */
async function dryThenReal(a: TestApi, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ dry: Answer; real: Answer }> {
  const before = await storeState(a);
  const dry = await call(a, method, `${path}?dryRun=true`, body, headers);
  expect(await storeState(a)).toEqual(before);
  return { dry, real: await call(a, method, path, body, headers) };
}

const dataplane = { type: 'Dataplane', mesh: 'default', name: 'web-1', networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } };
const builtin = (name: string, enabled: string) => ({ type: 'Mesh', name, mtls: { enabledBackend: enabled, backends: [{ name: 'ca-1', type: 'builtin' }, { name: 'ca-2', type: 'builtin' }] } });

describe('dry-run runs the admission checks of the real write (one code path: ResourceManager.admit)', () => {
  it('DELETE of a Mesh that still has data planes is refused with the real answer', async () => {
    const a = (api = await startTestApi({ caHooks: true }));
    expect((await call(a, 'PUT', '/meshes/default/dataplanes/web-1', dataplane)).status).toBe(201);
    const { dry, real } = await dryThenReal(a, 'DELETE', '/meshes/default');
    expect(real).toEqual({
      status: 400,
      body: {
        title: 'Could not delete a resource',
        details: 'unable to delete mesh, there are still some dataplanes attached',
        causes: [{ field: 'mesh', message: 'unable to delete mesh, there are still some dataplanes attached' }],
      },
    });
    expect(dry).toEqual(real);
  });

  it('the mesh CA rules refuse a dry-run as they refuse the write: CA Secret in use, CA switch under mTLS, unloadable provided CA', async () => {
    const a = (api = await startTestApi({ caHooks: true }));
    expect((await call(a, 'PUT', '/meshes/secure', builtin('secure', 'ca-1'))).status).toBe(201);

    const secret = await dryThenReal(a, 'DELETE', '/meshes/secure/secrets/secure.ca-builtin-cert-ca-1');
    expect(secret.real.status).toBe(400);
    expect(JSON.stringify(secret.real.body)).toContain('is currently in use in Mesh \\"secure\\"');
    expect(secret.dry).toEqual(secret.real);

    const change = await dryThenReal(a, 'PUT', '/meshes/secure', builtin('secure', 'ca-2'));
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect(change.real).toMatchObject({ status: 400, body: { causes: [{ field: 'mtls.enabledBackend', message: expect.stringMatching(/^Changing CA when mTLS is enabled is forbidden/) }] } });
    expect(change.dry).toEqual(change.real);

    const provided = { type: 'Mesh', name: 'byo', mtls: { enabledBackend: 'own', backends: [{ name: 'own', type: 'provided', conf: { cert: { secret: 'missing-cert' }, key: { secret: 'missing-key' } } }] } };
    const load = await dryThenReal(a, 'PUT', '/meshes/byo', provided);
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers (expect.any, expect.stringMatching...) as any
    expect(load.real).toMatchObject({ status: 400, body: { causes: [{ field: 'mtls.backends[0].conf.cert', message: expect.stringMatching(/^could not load the CA/) }] } });
    expect(load.dry).toEqual(load.real);
  });

  it('validation, missing mesh, missing resource and a stale If-Match answer the same with and without dryRun', async () => {
    const a = (api = await startTestApi({ caHooks: true }));
    const timeout = { type: 'Timeout', mesh: 'default', name: 't-1', sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }], conf: { connectTimeout: '5s' } };
    const cases: [string, string, unknown?, Record<string, string>?][] = [
      ['PUT', '/meshes/default/timeouts/t-1', { ...timeout, conf: { connectTimeout: 'soon' } }],
      ['PUT', '/meshes/nope/timeouts/t-1', { ...timeout, mesh: 'nope' }],
      ['DELETE', '/meshes/default/timeouts/t-1'],
      ['PUT', '/meshes/default/timeouts/timeout-all-default', { ...timeout, name: 'timeout-all-default' }, { 'if-match': '"7"' }],
      ['PUT', '/meshes/default/timeouts/t-2', { ...timeout, name: 't-2' }, { 'if-match': '"1"' }],
    ];
    for (const [method, path, body, headers] of cases) {
      const { dry, real } = await dryThenReal(a, method, path, body, headers);
      expect(real.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(dry, `${method} ${path}`).toEqual(real);
    }
  });
});
