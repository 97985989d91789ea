import { describe, expect, it } from 'vitest';
import { validateMesh } from './mesh.js';
import { violationsOf } from './violations-of.js';

const key = { name: 'default', mesh: '' };

describe('Mesh', () => {
  it('accepts an empty mesh', () => {
    expect(validateMesh({}, key)).toEqual({});
  });

  it('accepts the Kuma docs mesh with every backend kind and applies prometheus defaults', () => {
    const spec = {
      mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', dpCert: { rotation: { expiration: '24h' } }, conf: { caCert: { RSAbits: 2048, expiration: '87600h' } } }] },
      tracing: { defaultBackend: 'zipkin-1', backends: [{ name: 'zipkin-1', type: 'zipkin', sampling: 100, conf: { url: 'http://zipkin.local:9411/api/v2/spans' } }] },
      logging: {
        defaultBackend: 'file',
        backends: [
          { name: 'file', type: 'file', format: '%START_TIME%', conf: { path: '/tmp/access.log' } },
          { name: 'logstash', type: 'tcp', conf: { address: '127.0.0.1:5000' } },
        ],
      },
      metrics: { enabledBackend: 'prom', backends: [{ name: 'prom', type: 'prometheus' }] },
      networking: { outbound: { passthrough: false } },
      routing: { localityAwareLoadBalancing: true },
    };
    const out = validateMesh(spec, key) as typeof spec & { metrics: { backends: { conf: unknown }[] } };
    expect(out.metrics.backends[0]?.conf).toEqual({ port: 5670, path: '/metrics', tags: { 'kuma.io/service': 'dataplane-metrics' } });
    expect(out.mtls).toEqual(spec.mtls);
    expect(out.logging).toEqual(spec.logging);
  });

  it('keeps prometheus settings that are given', () => {
    const out = validateMesh({ metrics: { backends: [{ name: 'p', type: 'prometheus', conf: { port: 1234, path: '/stats', skipMTLS: true } }] } }, key);
    expect(out).toEqual({
      metrics: { backends: [{ name: 'p', type: 'prometheus', conf: { port: 1234, path: '/stats', skipMTLS: true, tags: { 'kuma.io/service': 'dataplane-metrics' } } }] },
    });
  });

  it('requires the enabled/default backend to be defined and names to be unique', () => {
    const spec = {
      mtls: { enabledBackend: 'missing', backends: [{ name: 'ca', type: 'builtin' }, { name: 'ca', type: 'vault' }] },
      tracing: { defaultBackend: 'nope', backends: [] },
      logging: { defaultBackend: 'nope' },
      metrics: { enabledBackend: 'nope', backends: [{ name: '', type: 'statsd' }] },
    };
    expect(violationsOf(validateMesh, spec)).toEqual([
      { field: 'mtls.backends[1].name', message: '"ca" name is already used for another backend' },
      { field: 'mtls.enabledBackend', message: 'has to be set to one of the backends in the mesh' },
      { field: 'mtls.backends[1].type', message: 'unknown backend type. Available backends: "builtin", "provided"' },
      { field: 'logging.defaultBackend', message: 'has to be set to one of the logging backend in mesh' },
      { field: 'tracing.defaultBackend', message: 'has to be set to one of the tracing backend in mesh' },
      { field: 'metrics.backends[0].name', message: 'cannot be empty' },
      { field: 'metrics.enabledBackend', message: 'has to be set to one of the backends in the mesh' },
      { field: 'metrics.backends[0].type', message: 'unknown backend type. Available backends: "prometheus"' },
    ]);
  });

  it('checks backend confs', () => {
    const spec = {
      mtls: { backends: [{ name: 'p', type: 'provided', conf: { cert: { secret: 'cert' } } }] },
      logging: { backends: [{ name: 'f', type: 'file', conf: {} }, { name: 't', type: 'tcp', conf: { address: 'nohost' } }] },
      tracing: { backends: [{ name: 'z', type: 'zipkin', sampling: 101, conf: { url: 'http://zipkin/api' } }] },
      metrics: { backends: [{ name: 'p', type: 'prometheus', conf: { port: 'x' } }] },
    };
    expect(violationsOf(validateMesh, spec)).toEqual([
      { field: 'mtls.backends[0].conf.key', message: 'has to be defined' },
      { field: 'logging.backends[0].conf.path', message: 'cannot be empty' },
      { field: 'logging.backends[1].conf.address', message: 'has to be in format of HOST:PORT' },
      { field: 'tracing.backends[0].sampling', message: 'has to be in [0.0 - 100.0] range' },
      { field: 'tracing.backends[0].conf.url', message: 'port has to be explicitly specified' },
      { field: 'metrics.backends[0].conf.port', message: 'must be a non-negative integer' },
    ]);
  });

  it("refuses unknown %KUMA_...% placeholders in a logging format (Kuma's format parser), keeps Envoy's commands", () => {
    const spec = {
      logging: {
        backends: [
          { name: 'ok', type: 'file', format: '%START_TIME% %KUMA_SOURCE_SERVICE% %KUMA_SOURCE_ADDRESS_WITHOUT_PORT% %REQ(:PATH)%', conf: { path: '/tmp/a' } },
          { name: 'bad', type: 'file', format: '%KUMA_SOURCE_SERVIC% %KUMA_MESH%', conf: { path: '/tmp/b' } },
        ],
      },
    };
    expect(violationsOf(validateMesh, spec)).toEqual([
      {
        field: 'logging.backends[1].format',
        message:
          'unknown placeholder %KUMA_SOURCE_SERVIC%. Available: %KUMA_MESH%, %KUMA_SOURCE_SERVICE%, %KUMA_DESTINATION_SERVICE%, %KUMA_SOURCE_ADDRESS%, %KUMA_SOURCE_ADDRESS_WITHOUT_PORT%, %KUMA_TRAFFIC_DIRECTION%',
      },
    ]);
  });

  it('requires the Datadog port (Kuma ValidatePort) and accepts a Zipkin URL with the scheme default port written out', () => {
    const spec = {
      tracing: {
        backends: [
          { name: 'dd', type: 'datadog', conf: { address: 'agent' } },
          { name: 'z', type: 'zipkin', conf: { url: 'https://collector.example.com:443/api/v2/spans', sharedSpanContext: true } },
          { name: 'z80', type: 'zipkin', conf: { url: 'http://[::1]:80/api/v2/spans' } },
        ],
      },
    };
    expect(violationsOf(validateMesh, spec)).toEqual([{ field: 'tracing.backends[0].conf.port', message: 'port has to be in range of [1, 65535]' }]);
    expect(violationsOf(validateMesh, { tracing: { backends: [{ name: 'z', type: 'zipkin', conf: { url: 'https://collector.example.com/api/v2/spans' } }] } })).toEqual([
      { field: 'tracing.backends[0].conf.url', message: 'port has to be explicitly specified' },
    ]);
    expect(violationsOf(validateMesh, { tracing: { backends: [{ name: 'z', type: 'zipkin', conf: { url: 'http://z:9411/', sharedSpanContext: 'yes' } }] } })).toEqual([
      { field: 'tracing.backends[0].conf.sharedSpanContext', message: 'must be a boolean' },
    ]);
  });

  it("accepts certificate lifetimes in Kuma's docs units (1d, 10y, 0) and refuses bad ones", () => {
    const mesh = (rotation: string, ca: string): unknown => ({
      mtls: { backends: [{ name: 'ca-1', type: 'builtin', dpCert: { rotation: { expiration: rotation } }, conf: { caCert: { RSAbits: 2048, expiration: ca } } }] },
    });
    for (const [rotation, ca] of [['1d', '10y'], ['2w', '0'], ['24h', '87600h'], ['1h30m', '500ms']] as const) {
      expect(() => validateMesh(mesh(rotation, ca), key), `${rotation} ${ca}`).not.toThrow();
    }
    expect(violationsOf(validateMesh, mesh('1.5d', '10y'))).toEqual([
      { field: 'mtls.backends[0].dpCert.rotation.expiration', message: 'must be a valid duration, e.g. "5s", "250ms", "1m30s"' },
    ]);
    expect(violationsOf(validateMesh, mesh('1d', '10x'))).toEqual([
      { field: 'mtls.backends[0].conf.caCert.expiration', message: 'must be a valid duration, e.g. "5s", "250ms", "1m30s"' },
    ]);
  });

  it('reports type errors and bad durations', () => {
    const spec = { mtls: { backends: [{ name: 'ca', type: 'builtin', dpCert: { rotation: { expiration: 'a day' } } }] }, routing: { localityAwareLoadBalancing: 'yes' } };
    expect(violationsOf(validateMesh, spec)).toEqual([
      { field: 'mtls.backends[0].dpCert.rotation.expiration', message: 'must be a valid duration, e.g. "5s", "250ms", "1m30s"' },
      { field: 'routing.localityAwareLoadBalancing', message: 'must be a boolean' },
    ]);
  });
});
