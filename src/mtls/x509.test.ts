import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CertificateError, generateRootCa, issueWorkloadCert, loadCaSigner } from './x509.js';

describe('x509', () => {
  it('generates Kuma\'s builtin root CA with the requested key size and lifetime', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ca = await generateRootCa('demo', 2048, 3_600_000, now);
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject.split('\n').sort()).toEqual(['CN=demo', 'O=Kuma', 'OU=Mesh']);
    expect(cert.subjectAltName).toBe('URI:spiffe://demo');
    expect(new Date(cert.validTo).getTime()).toBe(now.getTime() + 3_600_000);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(ca.keyPem))).toBe(true);
  });

  it('signs workload certificates that chain to the CA with the SPIFFE and kuma URI SANs', async () => {
    const ca = await generateRootCa('demo', 2048, 10 * 86_400_000);
    const signer = await loadCaSigner(ca.certPem, ca.keyPem);
    const now = new Date();
    const leaf = await issueWorkloadCert(signer, ['spiffe://demo/web', 'kuma://version/v1'], 86_400_000, now);
    const cert = new X509Certificate(leaf.certPem);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(cert.checkIssued(new X509Certificate(ca.certPem))).toBe(true);
    expect(cert.subjectAltName).toBe('URI:spiffe://demo/web, URI:kuma://version/v1');
    expect(cert.ca).toBe(false);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(leaf.notAfter.getTime()).toBe(now.getTime() + 86_400_000);
  });

  it('never issues past the CA\'s own expiry', async () => {
    const ca = await generateRootCa('demo', 2048, 60_000);
    const leaf = await issueWorkloadCert(await loadCaSigner(ca.certPem, ca.keyPem), ['spiffe://demo/web'], 86_400_000);
    expect(leaf.notAfter.getTime()).toBe(new Date(new X509Certificate(ca.certPem).validTo).getTime());
  });

  it('loads a provided EC CA and refuses a non-CA certificate or a key of another CA', async () => {
    const a = await generateRootCa('a', 2048, 86_400_000);
    const b = await generateRootCa('b', 2048, 86_400_000);
    await expect(loadCaSigner(a.certPem, b.keyPem)).rejects.toThrow(/does not match/);
    const signer = await loadCaSigner(a.certPem, a.keyPem);
    const leaf = await issueWorkloadCert(signer, ['spiffe://a/x'], 60_000);
    await expect(loadCaSigner(leaf.certPem, leaf.keyPem)).rejects.toThrow(/not a CA/);
    await expect(loadCaSigner('garbage', a.keyPem)).rejects.toBeInstanceOf(CertificateError);
    const { privateKey } = generateKeyPairSync('ed25519');
    await expect(loadCaSigner(a.certPem, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).rejects.toThrow(CertificateError);
  });
});
