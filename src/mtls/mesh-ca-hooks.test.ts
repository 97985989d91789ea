import { X509Certificate } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { PreconditionFailedError, ValidationError } from '../core/errors.js';
import { DefaultResourceManager } from '../core/manager/manager-impl.js';
import { logger } from '../core/logging.js';
import { MemoryStore } from '../plugins/store/memory/memory-store.js';
import { meshCaHooks } from './mesh-ca-hooks.js';
import { generateRootCa } from './x509.js';

const key = { name: 'demo', mesh: '' };
const builtin = (name: string, enabled: string | undefined, conf: Record<string, unknown> = {}) => ({
  mtls: { ...(enabled ? { enabledBackend: enabled } : {}), backends: [{ name, type: 'builtin', conf }] },
});

describe('mesh CA rules', () => {
  let store: MemoryStore;
  let manager: DefaultResourceManager;
  const secret = async (name: string) => {
    const s = await store.find('Secret', { name, mesh: 'demo' });
    return s ? Buffer.from(s.spec.data, 'base64').toString() : undefined;
  };

  beforeEach(() => {
    store = new MemoryStore();
    manager = new DefaultResourceManager(store, { meshDefaults: true, hooks: meshCaHooks(store, logger('mesh-ca')) });
  });

  it('generates a builtin CA once, stored as Kuma\'s Secrets, honouring RSAbits and expiration', async () => {
    await manager.create('Mesh', key, builtin('ca-1', 'ca-1', { caCert: { RSAbits: 3072, expiration: '1y' } }));
    const certPem = await secret('demo.ca-builtin-cert-ca-1');
    expect(await secret('demo.ca-builtin-key-ca-1')).toMatch(/BEGIN PRIVATE KEY/);
    const cert = new X509Certificate(certPem ?? '');
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    const lifetime = new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime();
    expect(Math.abs(lifetime - 365 * 86_400_000)).toBeLessThanOrEqual(11_000);
    await manager.update('Mesh', key, { ...builtin('ca-1', 'ca-1', { caCert: { RSAbits: 3072, expiration: '1y' } }), logging: {} });
    expect(await secret('demo.ca-builtin-cert-ca-1')).toBe(certPem);
  });

  it('refuses switching or retyping the enabled backend while mTLS is on, allows disabling', async () => {
    await manager.create('Mesh', key, builtin('ca-1', 'ca-1'));
    const two = { mtls: { enabledBackend: 'ca-2', backends: [{ name: 'ca-1', type: 'builtin' }, { name: 'ca-2', type: 'builtin' }] } };
    await expect(manager.update('Mesh', key, two)).rejects.toThrow(/Changing CA when mTLS is enabled is forbidden/);
    await expect(manager.update('Mesh', key, builtin('ca-1', 'ca-1', { caCert: { RSAbits: 4096 } }))).rejects.toBeInstanceOf(ValidationError);
    expect(await store.find('Secret', { name: 'demo.ca-builtin-cert-ca-2', mesh: 'demo' })).toBeUndefined();
    await manager.update('Mesh', key, builtin('ca-1', undefined));
    await manager.update('Mesh', key, two);
    expect(await secret('demo.ca-builtin-cert-ca-2')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('refuses deleting the CA Secrets of the enabled backend', async () => {
    await manager.create('Mesh', key, builtin('ca-1', 'ca-1'));
    await expect(manager.delete('Secret', { name: 'demo.ca-builtin-key-ca-1', mesh: 'demo' })).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(manager.delete('Secret', { name: 'demo.ca-builtin-cert-ca-1', mesh: 'demo' })).rejects.toThrow(/currently in use in Mesh "demo" in mTLS backend "ca-1"/);
    expect(await secret('demo.ca-builtin-key-ca-1')).toBeDefined();
    await manager.update('Mesh', key, builtin('ca-1', undefined));
    await manager.delete('Secret', { name: 'demo.ca-builtin-key-ca-1', mesh: 'demo' });
  });

  it('accepts a provided CA from Secrets and refuses one that cannot be loaded', async () => {
    await manager.create('Mesh', key, {});
    const ca = await generateRootCa('demo', 2048, 86_400_000);
    const provided = { mtls: { enabledBackend: 'p', backends: [{ name: 'p', type: 'provided', conf: { cert: { secret: 'c' }, key: { secret: 'k' } } }] } };
    await expect(manager.update('Mesh', key, provided)).rejects.toThrow(/secret "c" not found/);
    await manager.create('Secret', { name: 'c', mesh: 'demo' }, { data: Buffer.from(ca.certPem).toString('base64') });
    await manager.create('Secret', { name: 'k', mesh: 'demo' }, { data: Buffer.from('not a key').toString('base64') });
    await expect(manager.update('Mesh', key, provided)).rejects.toThrow(/not a valid PEM private key/);
    await manager.update('Secret', { name: 'k', mesh: 'demo' }, { data: Buffer.from(ca.keyPem).toString('base64') });
    await manager.update('Mesh', key, provided);
    await expect(manager.delete('Secret', { name: 'c', mesh: 'demo' })).rejects.toBeInstanceOf(PreconditionFailedError);
  });
});
