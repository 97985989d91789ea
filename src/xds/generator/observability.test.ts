import { describe, expect, it } from 'vitest';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { toPlain, validateSet } from '../../../test/helpers/envoy-validate.js';
import { TYPE_URLS } from '../resource.js';
import { buildMeshSnapshot, generateSidecar, generateSidecarParts, type MeshSnapshot } from './index.js';
import { typedInputs } from '../../../test/helpers/generator-fixtures.js';

const T = '2021-01-01T00:00:00Z';
function res(type: ResourceTypeName, name: string, spec: Record<string, unknown>, mesh = 'demo'): Resource {
  return { type, meta: { name, mesh, version: 1, creationTime: T, modificationTime: T }, spec };
}
const any = [{ match: { 'kuma.io/service': '*' } }];
const routeAll = res('TrafficRoute', 'route-all', { sources: any, destinations: any, conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }] } });

function dp(name: string, address: string, service: string, outbound = 'backend'): Resource {
  return res('Dataplane', name, {
    networking: {
      address,
      inbound: [{ port: 8080, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'http' } }],
      outbound: [{ port: 10001, tags: { 'kuma.io/service': outbound } }],
    },
  });
}

function snapshot(meshSpec: Record<string, unknown>, policies: Resource[], dataplanes: Resource[]): MeshSnapshot {
  const byType = new Map<ResourceTypeName, Resource[]>();
  for (const p of [routeAll, ...policies]) byType.set(p.type, [...(byType.get(p.type) ?? []), p]);
  return buildMeshSnapshot(typedInputs({
    mesh: res('Mesh', 'demo', meshSpec, ''),
    dataplanes: [...dataplanes, dp('backend-1', '10.0.1.1', 'backend', 'web')],
    policies: byType,
    externalServices: [],
    zoneIngresses: [],
    vips: new Map(),
  }));
}

type Plain = Record<string, unknown>;
/** The first network filter's typed_config of the outbound listener `outbound:127.0.0.1:10001`. */
function outboundFilter(snap: MeshSnapshot, name: string): Plain {
  const listener = generateSidecar(snap, name).find((r) => r.typeUrl === TYPE_URLS.listener && r.name === 'outbound:127.0.0.1:10001');
  if (!listener) throw new Error(`no outbound listener for ${name}`);
  const plain = toPlain(listener) as { filter_chains: { filters: { typed_config: Plain }[] }[] };
  return plain.filter_chains[0]?.filters[0]?.typed_config ?? {};
}
const logLine = (filter: Plain): string | undefined =>
  (filter['access_log'] as { typed_config: { log_format: { text_format_source: { inline_string: string } } } }[] | undefined)?.[0]?.typed_config.log_format.text_format_source.inline_string;

const logAll = (backend?: string) => res('TrafficLog', 'log-all', { sources: any, destinations: any, ...(backend ? { conf: { backend } } : {}) });

describe('TrafficLog on outbound listeners', () => {
  it("expands the source placeholders with each proxy's own service and address, even for proxies that share a source key", () => {
    const snap = snapshot({ logging: { defaultBackend: 'f', backends: [{ name: 'f', type: 'file', conf: { path: '/tmp/log' } }] } }, [logAll()], [
      dp('web-1', '10.0.0.1', 'web'),
      dp('api-1', '10.0.0.2', 'api'),
    ]);
    expect(logLine(outboundFilter(snap, 'web-1'))).toContain('"web" "backend" "10.0.0.1"');
    expect(logLine(outboundFilter(snap, 'api-1'))).toContain('"api" "backend" "10.0.0.2"');
    for (const name of ['web-1', 'api-1']) expect(validateSet(generateSidecar(snap, name))).toEqual([]);
  });

  it('keeps sharing the outbound group between proxies of one service when the format reads no address', () => {
    const mesh = { logging: { defaultBackend: 'f', backends: [{ name: 'f', type: 'file', format: '%KUMA_SOURCE_SERVICE%->%KUMA_DESTINATION_SERVICE%', conf: { path: '/tmp/log' } }] } };
    const snap = snapshot(mesh, [logAll()], [dp('web-1', '10.0.0.1', 'web'), dp('web-2', '10.0.0.2', 'web')]);
    expect(generateSidecarParts(snap, 'web-1').shared).toBe(generateSidecarParts(snap, 'web-2').shared);
    expect(logLine(outboundFilter(snap, 'web-2'))).toBe('web->backend\n');
    // With the address in the format, each proxy has its own lines.
    const withAddress = snapshot({ logging: { ...mesh.logging, backends: [{ ...mesh.logging.backends[0], format: '%KUMA_SOURCE_ADDRESS%' }] } }, [logAll()], [
      dp('web-1', '10.0.0.1', 'web'),
      dp('web-2', '10.0.0.2', 'web'),
    ]);
    expect(logLine(outboundFilter(withAddress, 'web-1'))).toBe('10.0.0.1:0\n');
    expect(logLine(outboundFilter(withAddress, 'web-2'))).toBe('10.0.0.2:0\n');
  });

  it('adds nothing for a tcp backend, a missing backend or no backend without a default, and says so naming policy, mesh and data planes', () => {
    const mesh = { logging: { backends: [{ name: 'logstash', type: 'tcp', conf: { address: '127.0.0.1:5000' } }] } };
    const policies = [
      res('TrafficLog', 'to-logstash', { sources: [{ match: { 'kuma.io/service': 'web' } }], destinations: any, conf: { backend: 'logstash' } }),
      res('TrafficLog', 'to-nowhere', { sources: [{ match: { 'kuma.io/service': 'api' } }], destinations: any, conf: { backend: 'gone' } }),
      res('TrafficLog', 'no-backend', { sources: [{ match: { 'kuma.io/service': 'backend' } }], destinations: any }),
    ];
    const snap = snapshot(mesh, policies, [dp('web-1', '10.0.0.1', 'web'), dp('web-2', '10.0.0.2', 'web'), dp('api-1', '10.0.0.3', 'api')]);
    for (const name of ['web-1', 'api-1', 'backend-1']) expect(logLine(outboundFilter(snap, name)), name).toBeUndefined();
    // Nothing is logged, so the proxies' addresses do not split their shared group.
    expect(generateSidecarParts(snap, 'web-1').shared).toBe(generateSidecarParts(snap, 'web-2').shared);
    expect(snap.warnings).toEqual([
      'TrafficLog "to-logstash" in mesh "demo" has no effect on data planes web-1, web-2: logging backend "logstash" is of type tcp, which Kuma delivers through kuma-dp\'s access log sink; this control plane does not configure one, so use a file backend',
      'TrafficLog "to-nowhere" in mesh "demo" has no effect on data planes api-1: it names logging backend "gone", which mesh "demo" does not have',
      'TrafficLog "no-backend" in mesh "demo" has no effect on data planes backend-1: it names no backend and mesh "demo" has no logging.defaultBackend',
    ]);
  });
});

const traceAll = (backend?: string) => res('TrafficTrace', 'trace-all', { selectors: any, ...(backend ? { conf: { backend } } : {}) });

describe('TrafficTrace', () => {
  it("reports Datadog spans under each proxy's own service on outbound listeners, with one tracing cluster", () => {
    const mesh = { tracing: { defaultBackend: 'dd', backends: [{ name: 'dd', type: 'datadog', conf: { address: '10.9.9.9', port: 8126 } }] } };
    const snap = snapshot(mesh, [traceAll()], [dp('web-1', '10.0.0.1', 'web'), dp('api-1', '10.0.0.2', 'api')]);
    const service = (name: string) => ((outboundFilter(snap, name)['tracing'] as Plain)['provider'] as { typed_config: Plain }).typed_config['service_name'];
    expect(service('web-1')).toBe('web');
    expect(service('api-1')).toBe('api');
    const clusters = generateSidecar(snap, 'web-1').filter((r) => r.typeUrl === TYPE_URLS.cluster && r.name.startsWith('tracing:'));
    expect(clusters.map((c) => [c.name, (toPlain(c) as Plain)['type']])).toEqual([['tracing:dd', 'STATIC']]);
    expect(validateSet(generateSidecar(snap, 'web-1'))).toEqual([]);
  });

  it('the best selector wins (more tags, then the later policy); a proxy it does not select keeps sharing with untraced ones', () => {
    const mesh = {
      tracing: {
        backends: [
          { name: 'a', type: 'zipkin', conf: { url: 'http://a:9411/api/v2/spans' } },
          { name: 'b', type: 'zipkin', conf: { url: 'http://b:9411/api/v2/spans' } },
        ],
      },
    };
    const snap = snapshot(mesh, [traceAll('a'), res('TrafficTrace', 'web-only', { selectors: [{ match: { 'kuma.io/service': 'web' } }], conf: { backend: 'b' } })], [
      dp('web-1', '10.0.0.1', 'web'),
      dp('api-1', '10.0.0.2', 'api'),
    ]);
    const cluster = (name: string) => (((outboundFilter(snap, name)['tracing'] as Plain)['provider'] as { typed_config: Plain }).typed_config['collector_cluster']);
    expect(cluster('web-1')).toBe('tracing:b');
    expect(cluster('api-1')).toBe('tracing:a');
    expect(generateSidecarParts(snap, 'web-1').shared).not.toBe(generateSidecarParts(snap, 'api-1').shared);
  });

  it('reports a TrafficTrace on data planes without any HTTP listener (tracing lives in the HTTP connection manager)', () => {
    const tcp = (name: string, address: string, service: string, outbound: string) =>
      res('Dataplane', name, {
        networking: { address, inbound: [{ port: 5432, tags: { 'kuma.io/service': service, 'kuma.io/protocol': 'tcp' } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': outbound } }] },
      });
    const mesh = { tracing: { defaultBackend: 'z', backends: [{ name: 'z', type: 'zipkin', conf: { url: 'http://z:9411/api/v2/spans' } }] } };
    // db-1: TCP inbound, outbound to TCP cache; cache-1: TCP inbound but an outbound to HTTP backend (traced there).
    const snap = snapshot(mesh, [traceAll()], [tcp('db-1', '10.0.0.1', 'db', 'cache'), tcp('cache-1', '10.0.0.2', 'cache', 'backend')]);
    expect(snap.warnings).toEqual([
      'TrafficTrace "trace-all" in mesh "demo" has no effect on data planes db-1: tracing applies to HTTP listeners and these data planes have none (all their inbounds and outbounds are TCP)',
    ]);
    expect(outboundFilter(snap, 'cache-1')['tracing']).toBeDefined();
  });

  it('a TrafficTrace naming a backend the mesh does not have traces nothing and is reported', () => {
    const snap = snapshot({}, [traceAll('zipkin')], [dp('web-1', '10.0.0.1', 'web')]);
    expect(outboundFilter(snap, 'web-1')['tracing']).toBeUndefined();
    expect(generateSidecar(snap, 'web-1').some((r) => r.name.startsWith('tracing:'))).toBe(false);
    expect(snap.warnings).toEqual(['TrafficTrace "trace-all" in mesh "demo" has no effect on data planes backend-1, web-1: it names tracing backend "zipkin", which mesh "demo" does not have']);
  });
});
