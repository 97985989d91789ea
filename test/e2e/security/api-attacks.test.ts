import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { userToken } from '../../helpers/tokens.js';

/**
 * Attacks on the REST API (issue 10, point 4). The operator works from localhost (admin by default); the
 * attacker's requests come from 127.0.0.2, which is not localhost to the API (Kuma: 127.0.0.1 and ::1 only).
 *
 * Defences guarded (each test fails when its defence is disabled; see the table in docs/security-attacks.md):
 * - admin-only Secret/GlobalSecret access and token issuing (api-server/authn.ts assertAdmin), read-only
 *   non-admins (assertMayCall);
 * - no secret data in lists (resource-endpoints.ts);
 * - user-token signature and revocation checks (core/tokens/token-validator.ts);
 * - GET /config admin-only in full, with secrets redacted (index-endpoints.ts, config/redact.ts).
 */
let cp: CpProcess;

function call(path: string, opts: { method?: string; token?: string; body?: unknown; from?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      {
        host: '127.0.0.1',
        port: cp.ports.api,
        path,
        method: opts.method ?? 'GET',
        localAddress: opts.from ?? '127.0.0.2',
        headers: { 'content-type': 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const secret = { type: 'Secret', mesh: 'default', name: 'db-password', data: Buffer.from('hunter2').toString('base64') };

/** A secret of the config (unused by the SQLite store, but configured): it must never leave the process. */
const PG_PASSWORD = 'pg-s3cret-value';

beforeAll(async () => {
  cp = await startCp({ env: { KUMA_STORE_POSTGRES_PASSWORD: PG_PASSWORD } });
  expect((await call('/meshes/default/secrets/db-password', { method: 'PUT', body: secret, from: '127.0.0.1' })).status).toBe(201);
}, 60_000);

afterAll(() => stopAll());

describe('API authentication attacks (built daemon)', () => {
  it('an anonymous remote caller cannot read secrets, list them, issue tokens or write anything, but can read policies', async () => {
    for (const path of ['/secrets', '/meshes/default/secrets', '/meshes/default/secrets/db-password', '/global-secrets']) {
      const r = await call(path);
      expect(r.status, path).toBe(403);
      expect(JSON.parse(r.text)).toMatchObject({ title: 'Access Denied' });
      expect(r.text).not.toContain(secret.data);
    }
    for (const kind of ['dataplane', 'zone', 'user']) {
      const r = await call(`/tokens/${kind}`, { method: 'POST', body: { mesh: 'default', name: 'x', zone: 'z', scope: ['cp'], validFor: '1h' } });
      expect(r.status, kind).toBe(403);
    }
    const write = await call('/meshes/default/traffic-permissions/allow-evil', { method: 'PUT', body: { type: 'TrafficPermission', mesh: 'default', name: 'allow-evil', sources: [{ match: { 'kuma.io/service': '*' } }], destinations: [{ match: { 'kuma.io/service': '*' } }] } });
    expect(write.status).toBe(403);
    expect((await call('/meshes/default/traffic-permissions/allow-evil', { from: '127.0.0.1' })).status).toBe(404);
    expect((await call('/meshes/default/traffic-routes')).status).toBe(200);
    // The operator on localhost keeps full access.
    expect(JSON.parse((await call('/meshes/default/secrets/db-password', { from: '127.0.0.1' })).text)).toMatchObject({ data: secret.data });
  }, 30_000);

  it('lists never contain secret data, even for an admin', async () => {
    const r = await call('/meshes/default/secrets', { from: '127.0.0.1' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ items: [{ name: 'db-password' }] });
    expect(r.text).not.toContain(secret.data);
    expect((await call('/secrets', { from: '127.0.0.1' })).text).not.toContain(secret.data);
  }, 30_000);

  it('a forged or foreign bearer is 401; a member token is read-only; an admin-group token is admin', async () => {
    const member = await userToken(cp, 'john', ['team-a']);
    const admin = await userToken(cp, 'ops', ['mesh-system:admin']);
    const [h, p] = member.split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, Groups: ['mesh-system:admin'] })).toString('base64url')}.${member.split('.')[2]}`;
    const bad = await call('/meshes/default/secrets/db-password', { token: forged });
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.text)).toMatchObject({ title: 'Invalid authentication data', details: 'token signature is invalid' });

    expect((await call('/meshes/default/secrets/db-password', { token: member })).status).toBe(403);
    expect((await call('/meshes', { token: member })).status).toBe(200);
    expect((await call('/meshes/default/traffic-routes/x', { method: 'DELETE', token: member })).status).toBe(403);

    const asAdmin = await call('/meshes/default/secrets/db-password', { token: admin });
    expect(asAdmin.status).toBe(200);
    expect(JSON.parse(asAdmin.text)).toMatchObject({ data: secret.data });
    expect((await call('/tokens/dataplane', { method: 'POST', token: admin, body: { mesh: 'default', name: 'web-1' } })).status).toBe(200);

    // Revoking the admin token takes effect at once.
    const jti = (JSON.parse(Buffer.from(admin.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti;
    const revocations = { type: 'GlobalSecret', name: 'user-token-revocations', data: Buffer.from(jti).toString('base64') };
    expect((await call('/global-secrets/user-token-revocations', { method: 'PUT', body: revocations, from: '127.0.0.1' })).status).toBe(201);
    expect(JSON.parse((await call('/meshes', { token: admin })).text)).toMatchObject({ details: 'token is revoked' });
  }, 60_000);

  it('GET /config: a non-admin caller gets only the mode and zone; secrets in config never appear, not even to an admin', async () => {
    const member = await userToken(cp, 'john', ['team-a']);
    for (const token of [undefined, member]) {
      const r = await call('/config', token ? { token } : {});
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual({ mode: 'standalone', multizone: { remote: { zone: '' } } });
    }
    const admin = await call('/config', { from: '127.0.0.1' });
    expect(admin.status).toBe(200);
    const config = JSON.parse(admin.text) as { store: { postgres: { password: string } }; general: { workDir: string } };
    expect(config.store.postgres.password).toBe('***');
    expect(config.general.workDir).not.toBe('');
    expect(admin.text).not.toContain(PG_PASSWORD);
    // Nor in the effective config logged at start.
    expect(cp.logs().join('\n')).not.toContain(PG_PASSWORD);
    expect(cp.logs().find((l) => l.includes('starting kuma-cp with effective config'))).toContain('"password":"***"');
  }, 30_000);
});

