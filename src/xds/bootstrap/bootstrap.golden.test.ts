import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../../test/helpers/envoy-validate.js';
import { expectGolden } from '../../../test/helpers/golden.js';
import { BOOTSTRAP_TYPE, envoyBootstrapBytes, envoyBootstrapYaml, type EnvoyBootstrapParams } from './envoy-bootstrap.js';
import { grpcBootstrap } from './grpc-bootstrap.js';

/** Bootstrap outputs -> test/golden/bootstrap/*; UPDATE_GOLDEN=1 rewrites them (a missing one fails). */
const DIR = join(import.meta.dirname, '../../../test/golden/bootstrap');

function golden(file: string, actual: string): void {
  expectGolden(join(DIR, file), actual);
}

const full: EnvoyBootstrapParams = {
  mesh: 'default',
  name: 'web-1',
  service: 'web',
  xdsHost: 'kuma-cp.internal',
  xdsPort: 5678,
  adminPort: 9902,
  dataplaneResource: '{"type":"Dataplane","mesh":"default","name":"web-1","networking":{"address":"10.0.0.1","inbound":[{"port":8080,"tags":{"kuma.io/service":"web"}}]}}',
  version: { kumaDp: { version: '1.1.6', gitTag: '1.1.6', gitCommit: 'abc', buildDate: '2021-05-01' }, envoy: { version: '1.17.1', build: 'hash/1.17.1/RELEASE' } },
  dnsPort: 15053,
  emptyDnsPort: 15054,
  dynamicMetadata: { team: 'payments' },
};

describe('Envoy bootstrap', () => {
  it('full kuma-dp request', () => {
    expect(validateMessage(BOOTSTRAP_TYPE, envoyBootstrapBytes(full), 'bootstrap')).toEqual([]);
    golden('envoy-full.golden.yaml', envoyBootstrapYaml(full));
  });

  it('minimal request (defaults: admin 9901, no inline resource)', () => {
    const minimal: EnvoyBootstrapParams = { mesh: 'demo', name: 'backend-1', service: 'backend', xdsHost: '127.0.0.1', xdsPort: 15678 };
    expect(validateMessage(BOOTSTRAP_TYPE, envoyBootstrapBytes(minimal), 'bootstrap')).toEqual([]);
    golden('envoy-minimal.golden.yaml', envoyBootstrapYaml(minimal));
  });
});

describe('Envoy bootstrap over TLS', () => {
  it('ads_cluster verifies the CP against the CA, with SNI and an exact SAN on the xDS host', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIBdummy\n-----END CERTIFICATE-----\n';
    for (const [host, file] of [
      ['kuma-cp.internal', 'envoy-tls-dns.golden.yaml'],
      ['127.0.0.1', 'envoy-tls-ip.golden.yaml'],
    ] as const) {
      const p: EnvoyBootstrapParams = { mesh: 'demo', name: 'backend-1', service: 'backend', xdsHost: host, xdsPort: 5678, xdsCaPem: ca };
      expect(validateMessage(BOOTSTRAP_TYPE, envoyBootstrapBytes(p), 'bootstrap')).toEqual([]);
      golden(file, envoyBootstrapYaml(p));
    }
  });
});

describe('gRPC xDS bootstrap', () => {
  it('existing dataplane', () => {
    const b = grpcBootstrap({ mesh: 'default', name: 'client-1', service: 'client', xdsHost: '127.0.0.1', xdsPort: 5678, zone: 'zone-1', inlineDataplane: false, certDir: '/var/run/kuma/default/client-1' });
    golden('grpc-existing.golden.json', `${JSON.stringify(b, null, 2)}\n`);
  });

  it('inline gateway dataplane, IPv6 host', () => {
    const b = grpcBootstrap({ mesh: 'default', name: 'client-2', service: 'frontend', xdsHost: '::1', xdsPort: 5678, zone: '', inlineDataplane: true });
    expect(b.xds_servers[0]?.server_uri).toBe('[::1]:5678');
    expect(JSON.parse(b.node.metadata['dataplane.resource'] ?? '')).toEqual({
      type: 'Dataplane',
      mesh: 'default',
      name: 'client-2',
      networking: { address: '127.0.0.1', gateway: { tags: { 'kuma.io/service': 'frontend' } } },
    });
    golden('grpc-inline.golden.json', `${JSON.stringify(b, null, 2)}\n`);
  });
});
