import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../plugins/store/memory/memory-store.js';
import { MeshNotFoundError, UnauthenticatedError } from '../errors.js';
import { DefaultResourceManager } from '../manager/manager-impl.js';
import type { DataplaneSpec } from '../resources/specs.js';
import { authenticateDataplane, dataplaneKeyScope, issueDataplaneToken } from './dataplane-token.js';
import { decodeJwt, signJwt } from './jwt.js';
import { newSigningKeyData, SigningKeys } from './signing-keys.js';
import { parseValidFor } from './valid-for.js';
import { authenticateZone, issueZoneToken } from './zone-token.js';
import { authenticateZoneIngress, issueZoneIngressToken } from './zone-ingress-token.js';
import { authenticateUser, issueUserToken } from './user-token.js';

async function setup(): Promise<DefaultResourceManager> {
  const manager = new DefaultResourceManager(new MemoryStore(), { meshDefaults: false });
  await manager.create('Mesh', { name: 'default', mesh: '' }, {});
  await manager.create('Mesh', { name: 'other', mesh: '' }, {});
  return manager;
}

const dp = (service: string, extra: Record<string, string> = {}): DataplaneSpec => ({
  networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': service, ...extra } }] },
});
const proxy = (name: string, spec: DataplaneSpec, mesh = 'default') => ({ mesh, name, type: 'dataplane' as const, spec });

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UnauthenticatedError);
  return (err as Error).message;
}

describe('data-plane tokens', () => {
  it("are Kuma's JWTs: RS256, kid header, capitalised claims, signed with dataplane-token-signing-key-<mesh>-1", async () => {
    const m = await setup();
    const token = await issueDataplaneToken(m, { name: 'web-1', mesh: 'default', tags: { 'kuma.io/service': ['web'] }, validFor: '1h' });
    const d = decodeJwt(token);
    expect(d.kid).toBe(1);
    expect(d.payload).toMatchObject({ Name: 'web-1', Mesh: 'default', Tags: { 'kuma.io/service': ['web'] }, Type: '' });
    expect((d.payload.exp ?? 0) - (d.payload.iat ?? 0)).toBe(3600);
    expect(d.payload.iat! - d.payload.nbf!).toBe(300);
    expect(await m.find('Secret', { name: 'dataplane-token-signing-key-default-1', mesh: 'default' })).toBeDefined();
  });

  it('authenticate only the proxy they name, in their mesh, with allowed tag values and proxy type', async () => {
    const m = await setup();
    const token = await issueDataplaneToken(m, { name: 'web-1', mesh: 'default' });
    await expect(authenticateDataplane(m, token, proxy('web-1', dp('web')))).resolves.toMatchObject({ Name: 'web-1' });
    expect(await refusal(authenticateDataplane(m, token, proxy('backend-1', dp('backend'))))).toMatch(/token is for dataplane "web-1", not "backend-1"/);
    expect(await refusal(authenticateDataplane(m, token, proxy('web-1', dp('web'), 'other')))).toMatch(/no signing key with KID 1/);
    expect(await refusal(authenticateDataplane(m, token, { ...proxy('web-1', dp('web')), type: 'ingress' }))).toMatch(/proxy type dataplane/);

    const tagged = await issueDataplaneToken(m, { mesh: 'default', tags: { 'kuma.io/service': ['web', 'web-admin'] } });
    await expect(authenticateDataplane(m, tagged, proxy('any', dp('web-admin')))).resolves.toBeDefined();
    expect(await refusal(authenticateDataplane(m, tagged, proxy('any', dp('backend'))))).toMatch(/does not allow kuma.io\/service=backend/);
    const both: DataplaneSpec = { networking: { address: '10.0.0.1', inbound: [{ port: 1, tags: { 'kuma.io/service': 'web' } }, { port: 2, tags: { 'kuma.io/service': 'backend' } }] } };
    expect(await refusal(authenticateDataplane(m, tagged, proxy('any', both)))).toMatch(/does not allow kuma.io\/service=backend/);
  });

  it('refuse expired, revoked, tampered and foreign-key tokens, and keys rotated out', async () => {
    const m = await setup();
    const keys = new SigningKeys(m, dataplaneKeyScope('default'));
    const key = await keys.current();
    const expired = signJwt({ Name: 'web-1', Mesh: 'default' }, key, 1000, Date.now() - 10_000);
    expect(await refusal(authenticateDataplane(m, expired, proxy('web-1', dp('web'))))).toMatch(/token expired at/);

    const token = await issueDataplaneToken(m, { name: 'web-1', mesh: 'default' });
    const [h, p, s] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(token).payload, Name: 'backend-1' })).toString('base64url')}.${s}`;
    expect(p).toBeDefined();
    expect(await refusal(authenticateDataplane(m, forged, proxy('backend-1', dp('backend'))))).toMatch(/signature is invalid/);
    const none = `${Buffer.from('{"alg":"none","kid":"1"}').toString('base64url')}.${p}.`;
    expect(await refusal(authenticateDataplane(m, none, proxy('web-1', dp('web'))))).toMatch(/unsupported token alg/);

    const jti = decodeJwt(token).payload.jti;
    await m.create('Secret', { name: 'dataplane-token-revocations-default', mesh: 'default' }, { data: Buffer.from(`other,${jti}\n`).toString('base64') });
    expect(await refusal(authenticateDataplane(m, token, proxy('web-1', dp('web'))))).toBe('token is revoked');

    // Rotation: key 2 signs new tokens; tokens of key 1 work until key 1 is deleted.
    const old = await issueDataplaneToken(m, { name: 'web-2', mesh: 'default' });
    await m.create('Secret', { name: 'dataplane-token-signing-key-default-2', mesh: 'default' }, { data: await newSigningKeyData() });
    const fresh = await issueDataplaneToken(m, { name: 'web-2', mesh: 'default' });
    expect(decodeJwt(fresh).kid).toBe(2);
    await expect(authenticateDataplane(m, old, proxy('web-2', dp('web')))).resolves.toBeDefined();
    await m.delete('Secret', { name: 'dataplane-token-signing-key-default-1', mesh: 'default' });
    expect(await refusal(authenticateDataplane(m, old, proxy('web-2', dp('web'))))).toMatch(/no signing key with KID 1.*regenerate the token/);
    await expect(authenticateDataplane(m, fresh, proxy('web-2', dp('web')))).resolves.toBeDefined();
  });

  it("validate Kuma's request shape", async () => {
    const m = await setup();
    await expect(issueDataplaneToken(m, { name: 'x' })).rejects.toThrow(/mesh: cannot be empty/);
    await expect(issueDataplaneToken(m, { mesh: 'default', type: 'sidecar' })).rejects.toThrow(/sidecar is not a valid proxy type/);
    await expect(issueDataplaneToken(m, { mesh: 'default', validFor: '1d' })).rejects.toThrow(/validFor/);
    await expect(issueDataplaneToken(m, { mesh: 'nope' })).rejects.toThrow(new MeshNotFoundError('nope'));
    expect(parseValidFor('1h30m')).toBe(5_400_000);
  });
});

describe('zone and user tokens', () => {
  it('a zone token authenticates exactly its zone, with scope cp', async () => {
    const m = await setup();
    const token = await issueZoneToken(m, { zone: 'zone-1', scope: ['cp'], validFor: '1h' });
    await expect(authenticateZone(m, token, 'zone-1')).resolves.toMatchObject({ Zone: 'zone-1' });
    expect(await refusal(authenticateZone(m, token, 'zone-2'))).toMatch(/zone from requestor: zone-2 is different than in token: zone-1/);
    const ingress = await issueZoneToken(m, { zone: 'zone-1', scope: ['ingress'] });
    expect(await refusal(authenticateZone(m, ingress, 'zone-1'))).toMatch(/does not include cp/);
    await expect(issueZoneToken(m, { zone: 'zone-1' })).rejects.toThrow(/scope: cannot be empty/);
    await expect(issueZoneToken(m, { scope: ['cp'] })).rejects.toThrow(/zone: cannot be empty/);
  });

  it("a zone-ingress token is issued by the ingress's own zone CP for its zone, and authenticates only there", async () => {
    const m = await setup();
    await expect(issueZoneIngressToken(m, { zone: 'zone-2' }, 'zone-1')).rejects.toThrow(/zone: must be this control plane's zone "zone-1"/);
    const token = await issueZoneIngressToken(m, { zone: 'zone-1', validFor: '1h' }, 'zone-1');
    expect(decodeJwt(token).payload).toMatchObject({ Zone: 'zone-1' });
    await expect(authenticateZoneIngress(m, token, 'zone-1')).resolves.toBeUndefined();
    expect(await refusal(authenticateZoneIngress(m, token, 'zone-2'))).toMatch(/zone from requestor: zone-2 is different than in token: zone-1/);
    const zoneCp = await issueZoneToken(m, { zone: 'zone-1', scope: ['ingress'] });
    expect(await refusal(authenticateZoneIngress(m, zoneCp, 'zone-1'))).not.toBe('');
    const dpToken = await issueDataplaneToken(m, { name: 'ingress-1', mesh: 'default', type: 'ingress' });
    expect(await refusal(authenticateZoneIngress(m, dpToken, 'zone-1'))).not.toBe('');
  });

  it('a user token names the user and its groups plus mesh-system:authenticated', async () => {
    const m = await setup();
    const token = await issueUserToken(m, { name: 'alice', groups: ['mesh-system:admin'], validFor: '1h' });
    await expect(authenticateUser(m, token)).resolves.toEqual({ name: 'alice', groups: ['mesh-system:admin', 'mesh-system:authenticated'] });
    await expect(issueUserToken(m, { name: 'bob' })).rejects.toThrow(/validFor: cannot be empty/);
    // The shared request parsing: every violation in one error, schema errors by field.
    await expect(issueUserToken(m, { validFor: '3d' })).rejects.toMatchObject({
      violations: [
        { field: 'name', message: 'cannot be empty' },
        { field: 'validFor', message: '"3d" is not a duration like 24h, 1h30m or 600s' },
      ],
    });
    await expect(issueUserToken(m, { name: 'bob', groups: 'admins', validFor: '1h' })).rejects.toMatchObject({ violations: [{ field: 'groups' }] });
    // A data-plane token is no user token: different keys.
    const dpToken = await issueDataplaneToken(m, { mesh: 'default' });
    expect(await refusal(authenticateUser(m, dpToken))).toMatch(/signature is invalid|no signing key/);
  });
});
