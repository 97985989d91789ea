import { describe, expect, it } from 'vitest';
import type { Resource, ResourceTypeName } from '../../../core/resources/model.js';
import { validateProxyTemplate } from '../../../core/resources/schemas/proxy-template.js';
import { TYPE_URLS } from '../../resource.js';
import { buildMeshSnapshot, generateSidecarParts, sidecarSnapshot } from '../index.js';
import { ProxyTemplateError } from './template-error.js';
import { typedInputs } from '../../../../test/helpers/generator-fixtures.js';

const T = '2021-01-01T00:00:00Z';
function res(type: ResourceTypeName, name: string, spec: Record<string, unknown>, mesh = 'default', time = T): Resource {
  return { type, meta: { name, mesh, version: 1, creationTime: time, modificationTime: time }, spec };
}
const any = [{ match: { 'kuma.io/service': '*' } }];
const route = res('TrafficRoute', 'route-all', { sources: any, destinations: any, conf: { split: [{ weight: 100, destination: { 'kuma.io/service': '*' } }] } });

/** A ProxyTemplate as the API stores it (validated and defaulted by its schema). */
function template(name: string, service: string, conf: Record<string, unknown>, time = T): Resource {
  const spec = validateProxyTemplate({ selectors: [{ match: { 'kuma.io/service': service } }], conf }, { name, mesh: 'default' });
  return res('ProxyTemplate', name, spec, 'default', time);
}

function snapshot(templates: Resource[], webs = 3) {
  const web = (i: number) =>
    res('Dataplane', `web-${i}`, {
      networking: { address: `10.0.0.${i}`, inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web', 'kuma.io/protocol': 'http' } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] },
    });
  const backend = res('Dataplane', 'backend-1', { networking: { address: '10.0.1.1', inbound: [{ port: 9090, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] } });
  return buildMeshSnapshot(typedInputs({
    mesh: res('Mesh', 'default', {}, ''),
    dataplanes: [...Array.from({ length: webs }, (_, i) => web(i + 1)), backend],
    policies: new Map<ResourceTypeName, Resource[]>([['TrafficRoute', [route]], ['ProxyTemplate', templates]]),
    externalServices: [],
    zoneIngresses: [],
    vips: new Map(),
  }));
}

const patchBackend = (value: string) => ({ imports: ['default-proxy'], modifications: [{ cluster: { operation: 'patch', match: { name: 'backend' }, value } }] });

describe('ProxyTemplate application', () => {
  it('transforms the shared group once per template for every proxy it selects, and leaves other proxies on the untouched group', () => {
    const plain = snapshot([]);
    const snap = snapshot([template('web-timeout', 'web', patchBackend('connectTimeout: 2s'))]);
    const parts = [1, 2, 3].map((i) => generateSidecarParts(snap, `web-${i}`));
    expect(parts[1]?.shared).toBe(parts[0]?.shared);
    expect(parts[2]?.shared).toBe(parts[0]?.shared);
    const patched = parts[0]?.shared.get(TYPE_URLS.cluster, 'backend');
    expect(patched?.version).not.toBe(generateSidecarParts(plain, 'web-1').shared.get(TYPE_URLS.cluster, 'backend')?.version);
    // backend-1 is not selected: its group is the one generated without any template (the same object)
    const unselected = generateSidecarParts(snap, 'backend-1');
    expect(unselected.shared.get(TYPE_URLS.cluster, 'backend')?.version).toBe(generateSidecarParts(plain, 'backend-1').shared.get(TYPE_URLS.cluster, 'backend')?.version);
    // the own resources of a proxy are kept as generated when the template does not touch them
    expect(parts[0]?.own).toEqual(generateSidecarParts(plain, 'web-1').own);
  });

  it('picks the most specific template, then the one created later', () => {
    const older = template('older', '*', patchBackend('connectTimeout: 3s'), '2021-01-01T00:00:00Z');
    const newer = template('newer', '*', patchBackend('connectTimeout: 4s'), '2021-02-01T00:00:00Z');
    const exact = template('exact', 'web', patchBackend('connectTimeout: 5s'), '2020-01-01T00:00:00Z');
    const version = (snap: ReturnType<typeof snapshot>, dp: string) => generateSidecarParts(snap, dp).shared.get(TYPE_URLS.cluster, 'backend')?.version;
    const only = (t: Resource) => version(snapshot([t]), 'backend-1');
    expect(version(snapshot([older, newer, exact]), 'web-1')).toBe(version(snapshot([exact]), 'web-1'));
    expect(version(snapshot([older, newer, exact]), 'backend-1')).toBe(only(newer));
    expect(only(newer)).not.toBe(only(older));
  });

  it('refuses a modification whose result Envoy would reject, naming the template, the step and the reason', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [patchBackend('connectTimeout: -1s'), /modifications\[0\]\.cluster: Cluster "backend" would be invalid: .*connect_timeout/],
      [patchBackend('connectTimeot: 1s'), /modifications\[0\]\.cluster: value is not a valid envoy.config.cluster.v3.Cluster: .*unknown field "connectTimeot"/],
      [patchBackend('name: other'), /Cluster "backend" is named "other" inside/],
      [{ imports: ['default-proxy'], modifications: [{ listener: { operation: 'add', value: 'name: x\naddress: {socketAddress: {address: 0.0.0.0}}' } }] }, /modifications\[0\]\.listener: Listener "x" would be invalid/],
      [
        { imports: ['default-proxy'], modifications: [{ httpFilter: { operation: 'addFirst', value: 'name: f\ntypedConfig: {"@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault, maxActiveFaults: -3}' } }] },
        /maxActiveFaults: -3 is out of range/,
      ],
      [{ resources: [{ name: 'x', version: 'v1', resource: "'@type': type.googleapis.com/google.protobuf.Empty" }] }, /resources\[0\]: "@type" must be one of/],
    ];
    for (const [conf, reason] of cases) {
      const snap = snapshot([template('broken', 'web', conf)]);
      let error: unknown;
      try {
        sidecarSnapshot(snap, 'web-1');
      } catch (err) {
        error = err;
      }
      expect(error, JSON.stringify(conf)).toBeInstanceOf(ProxyTemplateError);
      expect((error as Error).message).toMatch(/^ProxyTemplate "broken" of mesh "default" was not applied: /);
      expect((error as Error).message).toMatch(reason);
      // other proxies of the mesh are generated as usual
      expect(sidecarSnapshot(snap, 'backend-1').count(TYPE_URLS.cluster)).toBeGreaterThan(0);
    }
  });

  it('without imports: default-proxy, a proxy gets only the template resources', () => {
    const raw = "'@type': type.googleapis.com/envoy.config.cluster.v3.Cluster\nname: only\ntype: STATIC\nconnectTimeout: 1s\n";
    const snap = snapshot([template('raw', 'web', { resources: [{ name: 'only', version: 'v1', resource: raw }] })]);
    const s = sidecarSnapshot(snap, 'web-2');
    expect(s.names(TYPE_URLS.cluster)).toEqual(['only']);
    expect(s.count(TYPE_URLS.listener)).toBe(0);
    expect(generateSidecarParts(snap, 'web-1').shared).toBe(generateSidecarParts(snap, 'web-3').shared);
  });
});
