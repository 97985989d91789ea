import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { InThreadSigner, type CertificateSigner } from './certificate-signer.js';
import type { MeshCaMaterial } from './mesh-ca.js';
import { WorkloadIdentities, workloadUris } from './workload-identity.js';
import { generateRootCa } from './x509.js';

describe('workload identities', () => {
  let ca: MeshCaMaterial;
  beforeAll(async () => {
    const root = await generateRootCa('demo', 2048, 86_400_000 * 30);
    ca = { backend: 'ca-1', certPem: root.certPem, keyPem: root.keyPem, workloadLifetimeMs: 10 * 3_600_000 };
  });

  it('SANs: one spiffe URI per service and one kuma URI per tag, sorted and unique', () => {
    expect(workloadUris('demo', [{ 'kuma.io/service': 'web', version: 'v1' }, { 'kuma.io/service': 'admin', version: 'v1' }])).toEqual([
      'spiffe://demo/admin',
      'spiffe://demo/web',
      'kuma://kuma.io/service/admin',
      'kuma://kuma.io/service/web',
      'kuma://version/v1',
    ]);
  });

  it('caches per proxy, re-issues for a new identity or CA, and reports renewals at 1/5 of the lifetime left', async () => {
    let now = Date.now();
    const due: string[][] = [];
    const ids = new WorkloadIdentities(new InThreadSigner(), (keys) => due.push(keys), () => now);
    const req = { mesh: 'demo', ca, tagSets: [{ 'kuma.io/service': 'web' }] };
    const first = await ids.issue('demo.web-1', req);
    expect(await ids.issue('demo.web-1', req)).toBe(first);
    const cert = new X509Certificate(first.certPem);
    expect(cert.verify(new X509Certificate(first.caPem).publicKey)).toBe(true);
    expect(first.expiresAt.getTime()).toBe(now + 10 * 3_600_000);
    const other = await ids.issue('demo.web-1', { ...req, tagSets: [{ 'kuma.io/service': 'web', version: 'v2' }] });
    expect(other.certPem).not.toBe(first.certPem);
    expect(new X509Certificate(other.certPem).subjectAltName).toContain('URI:kuma://version/v2');
    now += 8 * 3_600_000 + 1;
    (ids as unknown as { fire(): void }).fire();
    expect(due).toEqual([['demo.web-1']]);
    const renewed = await ids.issue('demo.web-1', { ...req, tagSets: [{ 'kuma.io/service': 'web', version: 'v2' }] });
    expect(renewed.certPem).not.toBe(other.certPem);
    ids.forget('demo.web-1');
    expect(ids.size).toBe(0);
    ids.stop();
  });

  it('concurrent requests for the same proxy and identity sign once; another identity signs again', async () => {
    const inner = new InThreadSigner();
    let signed = 0;
    const counting: CertificateSigner = { sign: (r) => (signed++, inner.sign(r)), close: () => inner.close() };
    const ids = new WorkloadIdentities(counting);
    const req = { mesh: 'demo', ca, tagSets: [{ 'kuma.io/service': 'web' }] };
    const all = await Promise.all(Array.from({ length: 10 }, () => ids.issue('demo.web-1', req)));
    expect(signed).toBe(1);
    expect(new Set(all.map((a) => a.certPem)).size).toBe(1);
    await Promise.all([ids.issue('demo.web-2', req), ids.issue('demo.web-2', req), ids.issue('demo.web-1', req)]);
    expect(signed).toBe(2);
    ids.stop();
  });

  it('a failed signature is not cached: the next request signs again', async () => {
    let fail = true;
    const inner = new InThreadSigner();
    const flaky: CertificateSigner = { sign: (r) => (fail ? Promise.reject(new Error('worker lost')) : inner.sign(r)), close: () => inner.close() };
    const ids = new WorkloadIdentities(flaky);
    const req = { mesh: 'demo', ca, tagSets: [{ 'kuma.io/service': 'web' }] };
    await expect(ids.issue('demo.web-1', req)).rejects.toThrow('worker lost');
    fail = false;
    const issued = await ids.issue('demo.web-1', req);
    expect(new X509Certificate(issued.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    ids.stop();
  });
});
