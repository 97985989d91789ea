import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCp, stopAll } from '../helpers/cp-process.js';
import { kumactl, kumactlHome } from '../helpers/kumactl-process.js';
import { userToken } from '../helpers/tokens.js';

afterAll(stopAll);

const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

/** kumactl's token commands and token authentication, against the built daemon. */
describe('kumactl generate and --auth-type=tokens', () => {
  it('generates data-plane and zone tokens with Kuma flags; the data-plane token opens its bootstrap', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const home = await kumactlHome(cp.apiUrl);
    const dp = await kumactl(home, ['generate', 'dataplane-token', '--mesh', 'default', '--name', 'web-1', '--tag', 'kuma.io/service=web', '--type', 'dataplane', '--valid-for', '1h']);
    expect(dp.stderr).toBe('');
    expect(dp.status).toBe(0);
    const token = dp.stdout.trim();
    expect(dp.stdout).toBe(`${token}\n`);
    const claims = claimsOf(token);
    expect(claims).toMatchObject({ Name: 'web-1', Mesh: 'default', Tags: { 'kuma.io/service': ['web'] }, Type: 'dataplane' });
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(3600);
    // The control plane accepts what it issues: web-1's proxyless bootstrap is served with a token for it, refused without.
    const boot = (auth?: string) => fetch(`http://127.0.0.1:${cp.ports.bootstrap}/bootstrap/grpc?mesh=default&name=web-1`, { headers: auth ? { authorization: auth } : {} });
    const plain = (await kumactl(home, ['generate', 'dataplane-token', '--name', 'web-1'])).stdout.trim();
    expect((await boot()).status).toBe(401);
    expect((await boot(plain)).status).toBe(200);

    const zone = await kumactl(home, ['generate', 'zone-token', '--zone', 'zone-1', '--scope', 'cp', '--valid-for', '24h']);
    expect(zone.status).toBe(0);
    expect(claimsOf(zone.stdout.trim())).toMatchObject({ Zone: 'zone-1', Scope: ['cp'] });
    expect(claimsOf((await kumactl(home, ['generate', 'zone-token', '--zone', 'zone-2'])).stdout.trim())).toMatchObject({ Scope: ['cp', 'ingress', 'egress'] });

    const noMesh = await kumactl(home, ['generate', 'dataplane-token', '--mesh', 'nope']);
    expect(noMesh.status).toBe(1);
    expect(noMesh.stderr.trim()).toBe('Error: Could not issue a token: Mesh is not found (mesh: mesh of name nope is not found)');
    const badTag = await kumactl(home, ['generate', 'dataplane-token', '--tag', 'kuma.io/service']);
    expect(badTag.status).toBe(2);
    expect(badTag.stderr.trim()).toBe('Error: --tag "kuma.io/service" must be key=value');
    await cp.stop();
  }, 90_000);

  it('sends the stored user token as Bearer when localhost is not admin', async () => {
    // Issue an admin token while localhost is admin, then restart the same database with localhost treated like anyone.
    const first = await startCp();
    const admin = await userToken(first, 'ops', ['mesh-system:admin']);
    const member = await userToken(first, 'dev', ['mesh-system:member']);
    await first.stop();
    const cp = await startCp({ dbPath: first.dbPath, env: { KUMA_API_SERVER_AUTHN_LOCALHOST_IS_ADMIN: 'false', KUMA_API_SERVER_AUTHN_NON_ADMIN: 'none' } });
    // The index is public (kumactl checks it on add), everything else needs the token.
    const anonymous = await kumactl(await kumactlHome(cp.apiUrl), ['get', 'meshes']);
    expect(anonymous.status).toBe(1);
    expect(anonymous.stderr).toMatch(/authentication required/);

    const h = mkdtempSync(join(tmpdir(), 'kumactl-home-'));
    const confWithoutType = await kumactl(h, ['config', 'control-planes', 'add', '--name', 's', '--address', cp.apiUrl, '--auth-conf', `token=${admin}`]);
    expect(confWithoutType.status).toBe(2);
    expect(confWithoutType.stderr.trim()).toBe('Error: --auth-conf needs --auth-type');
    const typeWithoutToken = await kumactl(h, ['config', 'control-planes', 'add', '--name', 's', '--address', cp.apiUrl, '--auth-type', 'tokens']);
    expect(typeWithoutToken.status).toBe(2);

    const add = await kumactl(h, ['config', 'control-planes', 'add', '--name', 's', '--address', cp.apiUrl, '--auth-type', 'tokens', '--auth-conf', `token=${admin}`]);
    expect(add.stderr).toBe('');
    expect(add.status).toBe(0);
    const config = readFileSync(join(h, '.kumactl', 'config'), 'utf8');
    expect(config).toContain('authType: tokens');
    expect(config).toContain(`token: ${admin}`);
    // Secrets are admin-only: the stored token is what makes this work.
    const secrets = await kumactl(h, ['get', 'secrets']);
    expect(secrets.stderr).toBe('');
    expect(secrets.status).toBe(0);
    const issued = await kumactl(h, ['generate', 'dataplane-token', '--name', 'web-1']);
    expect(issued.status).toBe(0);

    const m = await kumactl(h, ['config', 'control-planes', 'add', '--name', 'm', '--address', cp.apiUrl, '--auth-type', 'tokens', '--auth-conf', `token=${member}`]);
    expect(m.status).toBe(0);
    const refused = await kumactl(h, ['generate', 'dataplane-token', '--name', 'web-1']);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^Error: .*(admin|denied|forbidden)/i);
  }, 120_000);

  it('refuses unknown fields in a resource, naming them, and writes nothing', async () => {
    const cp = await startCp({ env: { KUMA_STORE_TYPE: 'memory' } });
    const home = await kumactlHome(cp.apiUrl);
    const body = 'type: TrafficRoute\nmesh: default\nname: typo\nsources: [{match: {kuma.io/service: "*"}}]\ndestinations: [{match: {kuma.io/service: "*"}}]\nconf: {destination: {kuma.io/service: "*"}, loadBalancer: {roundRobin: {}}, retires: 3}\n';
    const r = await kumactl(home, ['apply', '-f', '-'], body);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('Error: Could not process a resource: Resource is not valid (conf.retires: unknown field)');
    expect((await fetch(`${cp.apiUrl}/meshes/default/traffic-routes/typo`)).status).toBe(404);
    await cp.stop();
  }, 60_000);
});
