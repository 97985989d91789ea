import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { configLeaves, envName } from './env.js';
import { loadConfig } from './load.js';

function file(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'kuma-cp.yaml');
  writeFileSync(p, text);
  return p;
}

const REMOTE = { mode: 'remote', zone: 'zone-1', globalAddress: 'grpc://127.0.0.1:5685' };

describe('loadConfig', () => {
  it('has Kuma default ports', () => {
    const c = loadConfig({ env: {}, overrides: {} });
    expect(c.mode).toBe('standalone');
    expect([c.apiServer.http.port, c.dpServer.port, c.bootstrapServer.port, c.dnsServer.port, c.multizone.global.kds.grpcPort, c.diagnostics.serverPort]).toEqual([
      5681, 5678, 5682, 5653, 5685, 5680,
    ]);
    expect(c.store.type).toBe('sqlite');
    expect(c.dnsServer).toMatchObject({ domain: 'mesh', CIDR: '240.0.0.0/4', ttl: 30 });
  });

  it('applies defaults < file < env < flags', () => {
    const f = file('apiServer:\n  http:\n    port: 1000\ndnsServer:\n  port: 2000\nmode: global\n');
    const c = loadConfig({ file: f, env: { KUMA_API_SERVER_HTTP_PORT: '3000', KUMA_MODE: 'global' }, overrides: { mode: 'standalone' } });
    expect(c.apiServer.http.port).toBe(3000);
    expect(c.dnsServer.port).toBe(2000);
    expect(c.mode).toBe('standalone');
  });

  it('maps the env names of DESIGN.md', () => {
    const names = new Set(configLeaves.map((l) => l.env));
    for (const n of [
      'KUMA_API_SERVER_HTTP_PORT',
      'KUMA_DP_SERVER_PORT',
      'KUMA_BOOTSTRAP_SERVER_PORT',
      'KUMA_DNS_SERVER_PORT',
      'KUMA_MULTIZONE_GLOBAL_KDS_GRPC_PORT',
      'KUMA_DIAGNOSTICS_SERVER_PORT',
      'KUMA_MODE',
      'KUMA_MULTIZONE_REMOTE_ZONE',
      'KUMA_MULTIZONE_REMOTE_GLOBAL_ADDRESS',
      'KUMA_STORE_TYPE',
      'KUMA_STORE_SQLITE_PATH',
      'KUMA_DNS_SERVER_DOMAIN',
      'KUMA_DNS_SERVER_CIDR',
      'KUMA_API_SERVER_HTTP_INTERFACE',
      'KUMA_DNS_SERVER_UPSTREAMS',
    ]) {
      expect(names, n).toContain(n);
    }
    expect(envName(['dnsServer', 'CIDR'])).toBe('KUMA_DNS_SERVER_CIDR');
  });

  it('parses typed env values and lists', () => {
    const c = loadConfig({
      env: { KUMA_DNS_SERVER_UPSTREAMS: '1.1.1.1, 8.8.8.8:53', KUMA_DEFAULTS_SKIP_MESH_CREATION: 'true', KUMA_STORE_TYPE: 'memory' },
      overrides: {},
    });
    expect(c.dnsServer.upstreams).toEqual(['1.1.1.1', '8.8.8.8:53']);
    expect(c.defaults.skipMeshCreation).toBe(true);
    expect(c.store.type).toBe('memory');
  });

  it('accepts zone as an alias of remote, and the zone-era env names', () => {
    const c = loadConfig({
      env: { KUMA_MULTIZONE_ZONE_NAME: 'zone-2', KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS: 'grpc://g:5685' },
      overrides: { mode: 'zone' },
    });
    expect(c.mode).toBe('remote');
    expect(c.multizone.remote).toMatchObject({ zone: 'zone-2', globalAddress: 'grpc://g:5685' });
  });

  const bad: [string, Parameters<typeof loadConfig>[0], RegExp][] = [
    ['remote without zone', { env: {}, overrides: { mode: 'remote', globalAddress: 'grpc://a:1' } }, /remote mode requires --zone/],
    ['remote without global address', { env: {}, overrides: { mode: 'remote', zone: 'z' } }, /remote mode requires --global-address/],
    ['bad scheme', { env: {}, overrides: { ...REMOTE, globalAddress: 'http://a:1' } }, /unsupported scheme "http" in global address/],
    ['bad zone name', { env: {}, overrides: { ...REMOTE, zone: 'Zone_1' } }, /invalid zone name "Zone_1"/],
    ['unknown mode', { env: {}, overrides: { mode: 'cluster' } }, /invalid mode. Available modes/],
    ['port out of range', { env: { KUMA_API_SERVER_HTTP_PORT: '70000' }, overrides: {} }, /apiServer.http.port: port has to be in range/],
    ['port not a number', { env: { KUMA_DP_SERVER_PORT: 'abc' }, overrides: {} }, /KUMA_DP_SERVER_PORT: "abc" is not an integer/],
    ['unknown key in file', { file: file('apiServer:\n  htp:\n    port: 1\n'), env: {}, overrides: {} }, /unknown key "apiServer.htp"/],
    ['a CIDR prefix over 32', { env: { KUMA_DNS_SERVER_CIDR: '240.0.0.0/40' }, overrides: {} }, /dnsServer.CIDR: must be an IPv4 CIDR/],
    ['a CIDR octet over 255', { env: { KUMA_DNS_SERVER_CIDR: '240.0.300.0/4' }, overrides: {} }, /dnsServer.CIDR: must be an IPv4 CIDR/],
    ['not YAML', { file: file('a: [1,\n'), env: {}, overrides: {} }, /is not valid YAML/],
    ['missing file', { file: '/nonexistent/kuma.yaml', env: {}, overrides: {} }, /cannot read config file/],
    ['--zone without zone mode', { env: {}, overrides: { zone: 'zone-1' } }, /^--zone only applies to a zone control plane \(--mode=zone\), not to mode standalone$/],
    ['--global-address on a global', { env: {}, overrides: { mode: 'global', globalAddress: 'grpc://a:1' } }, /^--global-address only applies to a zone control plane/],
    ['an unknown log format', { env: { KUMA_LOG_FORMAT: 'xml' }, overrides: {} }, /logFormat/],
    ['a bad cleanup age', { env: { KUMA_RUNTIME_UNIVERSAL_DATAPLANE_CLEANUP_AGE: 'soon' }, overrides: {} }, /runtime.universal.dataplaneCleanupAge/],
  ];
  for (const [name, input, re] of bad) {
    it(`rejects ${name} with one clear line`, () => {
      let err: unknown;
      try {
        loadConfig(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(re);
      expect(msg).not.toContain('\n');
    });
  }
});
