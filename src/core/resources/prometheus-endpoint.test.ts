import { describe, expect, it } from 'vitest';
import { prometheusEndpoint, usedInterface } from './prometheus-endpoint.js';
import type { DataplaneSpec, MeshSpec } from './specs.js';

const mesh: MeshSpec = {
  metrics: {
    enabledBackend: 'prom',
    backends: [
      { name: 'other', type: 'prometheus', conf: { port: 7777 } },
      { name: 'prom', type: 'prometheus', conf: { port: 1234, path: '/m', tags: { 'kuma.io/service': 'dataplane-metrics', team: 'a' }, skipMTLS: false } },
    ],
  },
};
const dp = (extra: Partial<DataplaneSpec> = {}): DataplaneSpec => ({
  networking: { address: '10.0.0.1', inbound: [{ port: 8080, servicePort: 18080, tags: { 'kuma.io/service': 'web' } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': 'b' } }] },
  ...extra,
});

describe('prometheusEndpoint', () => {
  it('is the enabled backend of the mesh', () => {
    expect(prometheusEndpoint(mesh, dp())).toEqual({ backend: 'prom', port: 1234, path: '/m', tags: { 'kuma.io/service': 'dataplane-metrics', team: 'a' }, skipMTLS: false });
  });

  it('is undefined without an enabled backend', () => {
    expect(prometheusEndpoint({ metrics: { backends: mesh.metrics?.backends ?? [] } }, dp())).toBeUndefined();
    expect(prometheusEndpoint({}, dp())).toBeUndefined();
  });

  it('merges the Dataplane override field by field, tags key by key', () => {
    const override = dp({ metrics: { type: 'prometheus', conf: { port: 9102, tags: { team: 'b', extra: 'x' }, skipMTLS: true } } });
    expect(prometheusEndpoint(mesh, override)).toEqual({ backend: 'prom', port: 9102, path: '/m', tags: { 'kuma.io/service': 'dataplane-metrics', team: 'b', extra: 'x' }, skipMTLS: true });
  });

  it('applies Kuma defaults when the stored conf lacks them', () => {
    expect(prometheusEndpoint({ metrics: { enabledBackend: 'p', backends: [{ name: 'p', type: 'prometheus' }] } }, dp())).toMatchObject({ port: 5670, path: '/metrics' });
  });
});

describe('usedInterface', () => {
  it('names the inbound, application or outbound the port would shadow', () => {
    expect(usedInterface(dp(), '10.0.0.1', 8080)).toBe('inbound 10.0.0.1:8080');
    expect(usedInterface(dp(), '10.0.0.1', 18080)).toBeUndefined();
    expect(usedInterface(dp(), '127.0.0.1', 18080)).toBe("the application's 127.0.0.1:18080");
    expect(usedInterface(dp(), '0.0.0.0', 10001)).toBe('outbound 127.0.0.1:10001');
    expect(usedInterface(dp(), '10.0.0.1', 5670)).toBeUndefined();
  });
});
