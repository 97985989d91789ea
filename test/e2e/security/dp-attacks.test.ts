import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdsTestClient, CDS, LDS, ack, node, resourceNames } from '../../helpers/ads-client.js';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { dataplaneToken } from '../../helpers/tokens.js';

/**
 * Attacks on the data-plane side of a standalone CP (issue 10, points 1-2), each tried from this separate
 * process over the CP's public ports; the legitimate data plane keeps getting its config throughout.
 *
 * Defences guarded (each case fails with its defence disabled; table in docs/security-attacks.md):
 * - ADS stream authentication on the first request (xds/server/dp-auth.ts authenticateStream);
 * - token claims bound to the proxy: name, mesh, tags (core/tokens/dataplane-token.ts authenticateDataplane);
 * - expiry and signature (core/tokens/jwt.ts verifyJwt), revocation list (core/tokens/token-validator.ts);
 * - the bootstrap server's token check (xds/bootstrap/bootstrap-auth.ts bootstrapRefusal);
 * - inline registration never replaces an operator's Dataplane (xds/sync/dataplane-lifecycle.ts);
 * - inline ghosts removed after the grace period (xds/sync/inline-ghosts.ts).
 */
const dataplane = (name: string, service: string, port: number) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address: '127.0.0.1', inbound: [{ port, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }] },
});

let cp: CpProcess;
const clients: AdsTestClient[] = [];
const ads = (): AdsTestClient => {
  const c = new AdsTestClient(`127.0.0.1:${cp.ports.dpServer}`);
  clients.push(c);
  return c;
};
const put = (path: string, body: unknown): Promise<Response> =>
  fetch(`${cp.apiUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The status an ADS stream as `id` with `token` (and optional inline Dataplane) ends with; null = it got config. */
async function attempt(id: string, token: string | undefined, inline?: unknown): Promise<{ code: status; details: string } | null> {
  const s = ads().sotw(token);
  s.send({ type_url: CDS, node: node({ id, metadata: inline ? { 'dataplane.resource': JSON.stringify(inline) } : {} }) });
  try {
    await s.next(CDS, 5000);
    s.close();
    return null;
  } catch {
    const st = await s.status();
    return { code: st.code, details: st.details };
  }
}

/** The legitimate backend-1 still gets its listeners. */
async function legitimateStillServed(): Promise<void> {
  const s = ads().sotw(await dataplaneToken(cp, { name: 'backend-1' }));
  s.send({ type_url: CDS, node: node({ id: 'default.backend-1' }) }).send({ type_url: LDS });
  const cds = await s.next(CDS);
  const lds = await s.next(LDS);
  s.send(ack(cds)).send(ack(lds));
  expect(resourceNames(lds)).toContain('inbound:127.0.0.1:9001');
  s.close();
}

beforeAll(async () => {
  cp = await startCp({ env: { KUMA_XDS_SERVER_INLINE_DATAPLANE_GRACE_PERIOD: '2s' } });
  expect((await put('/meshes/default/dataplanes/backend-1', dataplane('backend-1', 'backend', 9001))).status).toBe(201);
  expect((await put('/meshes/default/dataplanes/web-1', dataplane('web-1', 'web', 9002))).status).toBe(201);
  await legitimateStillServed();
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await stopAll();
});

describe('data-plane authentication attacks (built daemon)', () => {
  it('an ADS stream without a token gets no config: UNAUTHENTICATED saying why', async () => {
    const r = await attempt('default.web-1', undefined);
    expect(r?.code).toBe(status.UNAUTHENTICATED);
    expect(r?.details).toMatch(/no data-plane token/);
    await legitimateStillServed();
  }, 30_000);

  it("a token for web-1 cannot fetch backend-1's config", async () => {
    const r = await attempt('default.backend-1', await dataplaneToken(cp, { name: 'web-1' }));
    expect(r).toEqual({ code: status.UNAUTHENTICATED, details: 'token is for dataplane "web-1", not "backend-1"' });
    await legitimateStillServed();
  }, 30_000);

  it('a token restricted to the web service cannot register an inline Dataplane tagged backend', async () => {
    const token = await dataplaneToken(cp, { tags: { 'kuma.io/service': ['web'] } });
    const r = await attempt('default.evil-1', token, dataplane('evil-1', 'backend', 9999));
    expect(r?.code).toBe(status.UNAUTHENTICATED);
    expect(r?.details).toMatch(/does not allow kuma.io\/service=backend/);
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/evil-1`)).status).toBe(404);
    // The same token registers a web Dataplane.
    expect(await attempt('default.web-2', token, dataplane('web-2', 'web', 9003))).toBeNull();
  }, 30_000);

  it('expired, revoked and forged tokens are refused, and the bootstrap server answers 401 too', async () => {
    const token = await dataplaneToken(cp, { name: 'web-1', validFor: '1s' });
    await new Promise((r) => setTimeout(r, 2100));
    expect((await attempt('default.web-1', token))?.details).toMatch(/^token expired at/);

    const revoked = await dataplaneToken(cp, { name: 'web-1' });
    const jti = (JSON.parse(Buffer.from(revoked.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti;
    const list = { type: 'Secret', mesh: 'default', name: 'dataplane-token-revocations-default', data: Buffer.from(jti).toString('base64') };
    expect((await put('/meshes/default/secrets/dataplane-token-revocations-default', list)).status).toBe(201);
    expect(await attempt('default.web-1', revoked)).toEqual({ code: status.UNAUTHENTICATED, details: 'token is revoked' });

    const bootstrap = (body: unknown): Promise<Response> => fetch(`http://127.0.0.1:${cp.ports.bootstrap}/bootstrap`, { method: 'POST', body: JSON.stringify(body) });
    const noToken = await bootstrap({ mesh: 'default', name: 'web-1' });
    expect(noToken.status).toBe(401);
    expect(await noToken.text()).toMatch(/no data-plane token/);
    expect((await bootstrap({ mesh: 'default', name: 'web-1', dataplaneToken: revoked })).status).toBe(401);
    const grpc = await fetch(`http://127.0.0.1:${cp.ports.bootstrap}/bootstrap/grpc?mesh=default&name=backend-1`, { headers: { authorization: await dataplaneToken(cp, { name: 'web-1' }) } });
    expect(grpc.status).toBe(401);
    const ok = await bootstrap({ mesh: 'default', name: 'web-1', dataplaneToken: await dataplaneToken(cp, { name: 'web-1' }) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/key: authorization/);
    await legitimateStillServed();
  }, 30_000);

  it("an inline registration cannot replace an operator's Dataplane, which survives the attacker's disconnect", async () => {
    // Even with a token for that name (e.g. leaked), the operator-created Dataplane is not replaced.
    const token = await dataplaneToken(cp, { name: 'backend-1' });
    const r = await attempt('default.backend-1', token, { ...dataplane('backend-1', 'backend', 6666), networking: { address: '127.0.0.66', inbound: [{ port: 6666, tags: { 'kuma.io/service': 'backend' } }] } });
    expect(r?.code).toBe(status.PERMISSION_DENIED);
    expect(r?.details).toMatch(/was not registered inline/);
    await new Promise((res) => setTimeout(res, 500));
    const stored = (await (await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1`)).json()) as { networking: { address: string } };
    expect(stored.networking.address).toBe('127.0.0.1');
    await legitimateStillServed();
  }, 30_000);

  it('inline Dataplanes whose proxy does not reconnect after a CP crash are removed after the grace period', async () => {
    const token = await dataplaneToken(cp, { name: 'ghost-1' });
    const s = ads().sotw(token);
    s.send({ type_url: CDS, node: node({ id: 'default.ghost-1', metadata: { 'dataplane.resource': JSON.stringify(dataplane('ghost-1', 'ghost', 9004)) } }) });
    await s.next(CDS);
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/ghost-1`)).status).toBe(200);
    await cp.kill9();
    s.close();
    cp = await cp.restart();
    await cp.waitForLog(/"dataplane":"ghost-1".*removed inline dataplane: its proxy did not reconnect/, 20_000);
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/ghost-1`)).status).toBe(404);
    // The operator's Dataplanes are not touched.
    expect((await fetch(`${cp.apiUrl}/meshes/default/dataplanes/backend-1`)).status).toBe(200);
    await legitimateStillServed();
  }, 60_000);
});
