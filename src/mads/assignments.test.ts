import { describe, expect, it } from 'vitest';
import type { Resource } from '../core/resources/model.js';
import type { DataplaneSpec, MeshSpec } from '../core/resources/specs.js';
import { dataplaneLabels, monitoringAssignments } from './assignments.js';
import { httpSdTargetGroups } from './http-sd.js';

const meta = (name: string, mesh = '') => ({ name, mesh, version: 1, creationTime: '', modificationTime: '' });
const mesh = (name: string, spec: MeshSpec): Resource<MeshSpec> => ({ type: 'Mesh', meta: meta(name), spec });
const dp = (m: string, name: string, spec: DataplaneSpec): Resource<DataplaneSpec> => ({ type: 'Dataplane', meta: meta(name, m), spec });
const prom: MeshSpec = { metrics: { enabledBackend: 'p', backends: [{ name: 'p', type: 'prometheus', conf: { port: 5670, path: '/metrics', tags: { 'kuma.io/service': 'dataplane-metrics' } } }] } };
const inbound = (port: number, tags: Record<string, string>) => ({ port, tags });

describe('monitoringAssignments', () => {
  it('gives each data plane of a mesh with metrics one target with its tags, and none to other meshes, ingresses or clashing ports', () => {
    const { assignments, skipped } = monitoringAssignments(
      [mesh('on', prom), mesh('off', {})],
      [
        dp('on', 'web-1', { networking: { address: '10.0.0.1', inbound: [inbound(80, { 'kuma.io/service': 'web', version: 'v1' }), inbound(81, { 'kuma.io/service': 'admin', version: 'v1' })] } }),
        dp('on', 'v6', { networking: { address: 'fd00::1', inbound: [inbound(80, { 'kuma.io/service': 'web' })] }, metrics: { type: 'prometheus', conf: { port: 9102, path: '/s' } } }),
        dp('on', 'clash', { networking: { address: '10.0.0.3', inbound: [inbound(5670, { 'kuma.io/service': 'db' })] } }),
        dp('on', 'ingress', { networking: { address: '10.0.0.4', ingress: {}, inbound: [inbound(10001, { 'kuma.io/service': 'ingress' })] } }),
        dp('off', 'quiet', { networking: { address: '10.0.0.5', inbound: [inbound(80, { 'kuma.io/service': 'q' })] } }),
      ],
      undefined,
    );
    expect(assignments.map((a) => [a.name, a.service, a.targets[0]?.address, a.targets[0]?.metrics_path])).toEqual([
      ['/meshes/on/dataplanes/v6', 'web', '[fd00::1]:9102', '/s'],
      ['/meshes/on/dataplanes/web-1', 'web', '10.0.0.1:5670', '/metrics'],
    ]);
    expect(assignments[1]?.targets[0]?.labels).toEqual({ kuma_io_service: 'admin', kuma_io_services: ',admin,web,', version: 'v1', versions: ',v1,' });
    expect(skipped.map((s) => [s.mesh, s.dataplane])).toEqual([['on', 'clash']]);
    expect(skipped[0]?.reason).toContain('5670 is already inbound 10.0.0.3:5670');
  });

  it("labels the zone: the data plane's tag, else the zone CP's name", () => {
    const spec = (tags: Record<string, string>): DataplaneSpec => ({ networking: { address: '10.0.0.1', inbound: [inbound(80, { 'kuma.io/service': 'web', ...tags })] } });
    expect(dataplaneLabels(spec({}), 'zone-1')['kuma_io_zone']).toBe('zone-1');
    expect(dataplaneLabels(spec({ 'kuma.io/zone': 'zone-2' }), 'zone-1')['kuma_io_zone']).toBe('zone-2');
    expect(dataplaneLabels(spec({}), undefined)['kuma_io_zone']).toBeUndefined();
  });

  it("serves http_sd target groups with kuma_sd_configs' labels", () => {
    const { assignments } = monitoringAssignments([mesh('on', prom)], [dp('on', 'web-1', { networking: { address: '10.0.0.1', inbound: [inbound(80, { 'kuma.io/service': 'web' })] } })], 'z');
    expect(httpSdTargetGroups(assignments)).toEqual([
      {
        targets: ['10.0.0.1:5670'],
        labels: {
          __meta_kuma_label_kuma_io_service: 'web',
          __meta_kuma_label_kuma_io_services: ',web,',
          __meta_kuma_label_kuma_io_zone: 'z',
          __meta_kuma_label_kuma_io_zones: ',z,',
          __meta_kuma_mesh: 'on',
          __meta_kuma_service: 'web',
          __meta_kuma_dataplane: 'web-1',
          instance: 'web-1',
          __scheme__: 'http',
          __metrics_path__: '/metrics',
        },
      },
    ]);
  });
});
