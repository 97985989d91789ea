import { beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../core/logging.js';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { asResourceOf, type ResourceOf } from '../../core/resources/typed-resource.js';
import { toPlain, validateSet } from '../../../test/helpers/envoy-validate.js';
import { TYPE_URLS } from '../resource.js';
import { parseAddress, resolveDataSource, resolveExternalServices } from './external-services.js';
import { buildMeshSnapshot, generateProxyless, generateSidecar, type MeshSnapshot } from './index.js';
import { typedInputs } from '../../../test/helpers/generator-fixtures.js';

const warn = vi.hoisted(() => vi.fn());
vi.mock('../../core/logging.js', () => ({ logger: () => ({ warn, info: vi.fn(), debug: vi.fn(), error: vi.fn() }) }));

const T = '2021-01-01T00:00:00Z';
function res<N extends ResourceTypeName>(type: N, name: string, spec: Record<string, unknown>, mesh = 'default'): ResourceOf<N> {
  return asResourceOf(type, { type, meta: { name, mesh, version: 1, creationTime: T, modificationTime: T }, spec });
}
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secrets = new Map([['ca', res('Secret', 'ca', { data: b64('the-ca') })]]);

describe('resolveDataSource', () => {
  it('turns inline (base64) and secret data into inline_bytes, inlineString into inline_string, file into filename', () => {
    expect(resolveDataSource({ inline: b64('pem') }, secrets)).toEqual({ source: { inline_bytes: b64('pem') } });
    expect(resolveDataSource({ secret: 'ca' }, secrets)).toEqual({ source: { inline_bytes: b64('the-ca') } });
    expect(resolveDataSource({ inlineString: 'pem' }, secrets)).toEqual({ source: { inline_string: 'pem' } });
    expect(resolveDataSource({ file: '/etc/ca.pem' }, secrets)).toEqual({ source: { filename: '/etc/ca.pem' } });
  });

  it('reports a missing secret, a secret without data, bad base64 and an empty DataSource', () => {
    expect(resolveDataSource({ secret: 'nope' }, secrets)).toEqual({ error: 'secret "nope" not found' });
    expect(resolveDataSource({ secret: 'empty' }, new Map([['empty', res('Secret', 'empty', { data: '' })]]))).toEqual({ error: 'secret "empty" has no data' });
    expect(resolveDataSource({ inline: 'not base64!' }, secrets)).toHaveProperty('error');
    expect(resolveDataSource({ inlineString: '' }, secrets)).toHaveProperty('error');
    expect(resolveDataSource({}, secrets)).toHaveProperty('error');
  });
});

describe('parseAddress', () => {
  it('splits host:port and [v6]:port, refuses the rest', () => {
    expect(parseAddress('httpbin.org:443')).toEqual({ host: 'httpbin.org', port: 443 });
    expect(parseAddress('[::1]:8443')).toEqual({ host: '::1', port: 8443 });
    for (const bad of ['httpbin.org', ':80', 'a:0', 'a:70000', 'a:8x']) expect(parseAddress(bad), bad).toBeUndefined();
  });
});

describe('resolveExternalServices', () => {
  const es = (name: string, service: string, networking: Record<string, unknown>) => res('ExternalService', name, { networking, tags: { 'kuma.io/service': service } });

  it('skips an ExternalService with a missing secret or a bad address, naming it; ignores one shadowed by Dataplanes; merges those of one service', () => {
    const out = resolveExternalServices(
      [
        es('b-dup', 'ok', { address: 'other.example:80' }),
        es('a-ok', 'ok', { address: 'ok.example:443', tls: { enabled: true, caCert: { secret: 'ca' } } }),
        es('missing', 'missing', { address: 'm.example:443', tls: { enabled: true, caCert: { secret: 'gone' } } }),
        es('missing-but-one', 'ok', { address: 'x.example:443', tls: { enabled: true, caCert: { secret: 'gone' } } }),
        es('half', 'half', { address: 'h.example:443', tls: { enabled: true, clientCert: { inlineString: 'c' } } }),
        es('bad-address', 'bad', { address: 'no-port' }),
        es('shadowed', 'backend', { address: 'b.example:80' }),
      ],
      [...secrets.values()],
      new Set(['backend']),
    );
    expect([...out.byService.keys()]).toEqual(['ok']);
    const ok = out.byService.get('ok');
    expect(ok?.endpoints.map((e) => e.name)).toEqual(['a-ok', 'b-dup']);
    expect(ok?.ports).toEqual([80, 443]);
    expect(ok?.endpoints[0]).toMatchObject({ host: 'ok.example', port: 443, tls: { sni: 'ok.example', trustedCa: { inline_bytes: b64('the-ca') }, subjectAltName: 'ok.example' } });
    expect(ok?.endpoints[1]).toMatchObject({ host: 'other.example', port: 80 });
    expect(ok?.endpoints[1]?.tls).toBeUndefined();
    expect([...out.unusable].sort()).toEqual(['bad', 'half', 'missing']);
    expect(out.warnings).toEqual([
      'ExternalService "bad-address" (kuma.io/service: bad) skipped: address "no-port" is not host:port',
      'ExternalService "half" (kuma.io/service: half) skipped: tls.clientCert and tls.clientKey must be given together',
      'ExternalService "missing" (kuma.io/service: missing) skipped: tls.caCert: secret "gone" not found',
      'ExternalService "missing-but-one" (kuma.io/service: ok) skipped: tls.caCert: secret "gone" not found',
      'ExternalService "shadowed" (kuma.io/service: backend) ignored: Dataplanes offer the same service',
    ]);
  });

  it('warns, naming it, about an ExternalService with tls settings but tls.enabled not true (plain text)', () => {
    const out = resolveExternalServices([es('plain', 'plain', { address: 'p.example:443', tls: { caCert: { inline: b64('ca') } } })], [], new Set());
    expect(out.byService.get('plain')?.endpoints[0]?.tls).toBeUndefined();
    expect(out.warnings).toEqual(['ExternalService "plain" (kuma.io/service: plain): tls settings have no effect without tls.enabled: true (connecting in plain text)']);
  });

  it('sends no SNI for an IP literal', () => {
    const out = resolveExternalServices([es('ip', 'ip', { address: '10.1.1.1:443', tls: { enabled: true } })], [], new Set());
    expect(out.byService.get('ip')?.endpoints[0]?.tls).toEqual({});
  });
});

describe('ExternalServices in generated config', () => {
  beforeEach(() => warn.mockClear());
  const any = [{ match: { 'kuma.io/service': '*' } }];

  function snapshot(caSecretData: string | undefined, previous?: MeshSnapshot): MeshSnapshot {
    return buildMeshSnapshot(
      typedInputs({
        mesh: res('Mesh', 'default', {}, ''),
        dataplanes: [
          res('Dataplane', 'web-1', {
            networking: {
              address: '10.0.0.1',
              inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }],
              outbound: [{ port: 10001, tags: { 'kuma.io/service': 'secure' } }],
              transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001 },
            },
          }),
        ],
        policies: new Map<ResourceTypeName, Resource[]>([['TrafficRoute', [res('TrafficRoute', 'route-all', { sources: any, destinations: any, conf: { destination: { 'kuma.io/service': '*' } } })]]]),
        externalServices: [
          res('ExternalService', 'secure', {
            networking: { address: 'secure.example.com:443', tls: { enabled: true, caCert: { secret: 'secure-ca' } } },
            tags: { 'kuma.io/service': 'secure', 'kuma.io/protocol': 'http' },
          }),
        ],
        secrets: caSecretData === undefined ? [] : [res('Secret', 'secure-ca', { data: caSecretData })],
        zoneIngresses: [],
        vips: new Map([
          ['secure', '240.0.0.1'],
          ['web', '240.0.0.0'],
        ]),
        log: logger('xds-generator'),
      }),
      previous,
    );
  }

  it('a missing secret skips the cluster and its outbounds with a logged warning naming the ExternalService; nothing crashes', () => {
    const snap = snapshot(undefined);
    const resources = generateSidecar(snap, 'web-1');
    expect(validateSet(resources)).toEqual([]);
    expect(resources.some((r) => r.name === 'secure' || r.name === 'outbound:secure' || r.name.startsWith('outbound:240.0.0.1:') || r.name === 'outbound:127.0.0.1:10001')).toBe(false);
    expect(resources.some((r) => r.name === 'outbound:240.0.0.0:80')).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ mesh: 'default' }, expect.stringContaining('ExternalService "secure"'));
    expect(String(warn.mock.calls[0]?.[1])).toContain('secret "secure-ca" not found');
    // Logged once while it persists, not on every rebuild of the mesh.
    snapshot(undefined, snap);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(validateSet(generateProxyless(snap, 'web-1'))).toEqual([]);
  });

  it('once the secret exists the STRICT_DNS cluster with TLS appears, and a changed secret changes its bytes (memo keyed on content)', () => {
    const first = snapshot(b64('ca-1'));
    const r1 = generateSidecar(first, 'web-1');
    expect(validateSet(r1)).toEqual([]);
    const cluster1 = r1.find((r) => r.typeUrl === TYPE_URLS.cluster && r.name === 'secure');
    expect(cluster1 && toPlain(cluster1)).toMatchObject({
      type: 'STRICT_DNS',
      transport_socket: { typed_config: { sni: 'secure.example.com', common_tls_context: { validation_context: { trusted_ca: { inline_bytes: b64('ca-1') } } } } },
    });
    expect(r1.some((r) => r.typeUrl === TYPE_URLS.clusterLoadAssignment && r.name === 'secure')).toBe(false);
    expect(r1.map((r) => r.name)).toEqual(expect.arrayContaining(['outbound:240.0.0.1:80', 'outbound:240.0.0.1:443', 'outbound:127.0.0.1:10001', 'outbound:secure']));
    const second = snapshot(b64('ca-2'), first);
    const cluster2 = generateSidecar(second, 'web-1').find((r) => r.typeUrl === TYPE_URLS.cluster && r.name === 'secure');
    expect(cluster2?.version).not.toEqual(cluster1?.version);
    expect(warn).not.toHaveBeenCalled();
    // Proxyless clients NACK STRICT_DNS clusters: the catalog has nothing of the ExternalService.
    expect(generateProxyless(second, 'web-1').some((r) => r.name.startsWith('secure'))).toBe(false);
  });
});
