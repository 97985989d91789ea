import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCp, stopAll, type CpProcess } from '../../helpers/cp-process.js';
import { dataplaneToken } from '../../helpers/tokens.js';

/**
 * `GET /bootstrap/grpc/certs` hands out a private key and a certificate carrying a proxy's SPIFFE identity:
 * whoever holds them can call every service that trusts that identity. Each attack asks for another proxy's
 * identity over the bootstrap port of the built daemon; only the proxy's own token gets its certificate.
 * Defence guarded: the bootstrap server's token check (xds/bootstrap/bootstrap-auth.ts bootstrapRefusal).
 */
let cp: CpProcess;
const mesh = 'secure';

const put = (path: string, body: unknown): Promise<Response> =>
  fetch(`${cp.apiUrl}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function certs(query: string, token?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${cp.ports.bootstrap}/bootstrap/grpc/certs?${query}`, token ? { headers: { authorization: token } } : {});
  return { status: res.status, body: await res.text() };
}

/** Refused with 401 and no key material in the answer. */
function expectRefused(r: { status: number; body: string }, reason: RegExp): void {
  expect(r.status).toBe(401);
  expect(r.body).toMatch(reason);
  expect(r.body).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
}

beforeAll(async () => {
  cp = await startCp();
  expect((await put(`/meshes/${mesh}`, { type: 'Mesh', name: mesh, mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } })).status).toBe(201);
  const backend = { type: 'Dataplane', mesh, name: 'backend-1', networking: { address: '127.0.0.1', inbound: [{ port: 9001, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'grpc' } }] } };
  expect((await put(`/meshes/${mesh}/dataplanes/backend-1`, backend)).status).toBe(201);
}, 60_000);

afterAll(stopAll);

describe('proxyless workload certificates (built daemon)', () => {
  it('without a token: 401 saying why, no certificate or key', async () => {
    expectRefused(await certs(`mesh=${mesh}&name=backend-1`), /no data-plane token/);
    // an inline (not yet registered) proxy is no exception
    expectRefused(await certs(`mesh=${mesh}&name=ghost&service=backend`), /no data-plane token/);
  }, 30_000);

  it("a token for web-1 cannot obtain backend-1's identity, nor one of another mesh", async () => {
    expectRefused(await certs(`mesh=${mesh}&name=backend-1`, await dataplaneToken(cp, { mesh, name: 'web-1' })), /not "backend-1"/);
    expectRefused(await certs(`mesh=${mesh}&name=backend-1`, await dataplaneToken(cp, { mesh: 'default', name: 'backend-1' })), /./);
  }, 30_000);

  it('a token restricted to the web service cannot obtain a backend identity through an inline name', async () => {
    const token = await dataplaneToken(cp, { mesh, tags: { 'kuma.io/service': ['web'] } });
    expectRefused(await certs(`mesh=${mesh}&name=evil-1&service=backend`, token), /./);
    // the same token gets the identity it is for
    const own = await certs(`mesh=${mesh}&name=web-7&service=web`, token);
    expect(own.status).toBe(200);
    expect(new X509Certificate((JSON.parse(own.body) as { certificate: string }).certificate).subjectAltName).toContain(`URI:spiffe://${mesh}/web`);
  }, 30_000);

  it("the proxy's own token gets its certificate, key and the mesh CA", async () => {
    const r = await certs(`mesh=${mesh}&name=backend-1`, await dataplaneToken(cp, { mesh, name: 'backend-1' }));
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { certificate: string; privateKey: string; caCertificate: string };
    expect(new X509Certificate(body.certificate).subjectAltName).toContain(`URI:spiffe://${mesh}/backend`);
    expect(body.privateKey).toMatch(/PRIVATE KEY/);
    expect(new X509Certificate(body.certificate).verify(new X509Certificate(body.caCertificate).publicKey)).toBe(true);
  }, 30_000);
});
