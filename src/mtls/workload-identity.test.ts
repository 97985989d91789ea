import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
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
    const ids = new WorkloadIdentities((keys) => due.push(keys), () => now);
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
});
