import { describe, expect, it } from 'vitest';
import { validateDataplane } from './dataplane.js';
import { violationsOf } from './violations-of.js';

const key = { name: 'backend-1', mesh: 'default' };

const valid = {
  networking: {
    address: '192.168.0.1',
    inbound: [{ port: 11011, servicePort: 11012, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http', version: '2.0' } }],
    outbound: [
      { port: 33033, tags: { 'kuma.io/service': 'database' } },
      { port: 44044, service: 'redis' },
    ],
    transparentProxying: { redirectPortInbound: 15006, redirectPortOutbound: 15001 },
  },
};

describe('Dataplane', () => {
  it('accepts a Kuma docs dataplane and refuses unknown fields, naming each', () => {
    expect(validateDataplane(valid, key)).toEqual(valid);
    const inbound = valid.networking.inbound?.[0];
    expect(violationsOf(validateDataplane, { ...valid, bogus: 1, networking: { ...valid.networking, nonsense: true, inbound: [{ ...inbound, servce_port: 1 }] } })).toEqual([
      { field: 'networking.inbound[0].servce_port', message: 'unknown field' },
      { field: 'networking.nonsense', message: 'unknown field' },
      { field: 'bogus', message: 'unknown field' },
    ]);
  });

  it('accepts a gateway dataplane', () => {
    expect(violationsOf(validateDataplane, { networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'edge' } } } })).toEqual([]);
  });

  it('requires an address and at least one inbound or gateway', () => {
    expect(violationsOf(validateDataplane, { networking: {} })).toEqual([
      { field: 'networking.address', message: 'address has to be valid IP address or domain name' },
      { field: 'networking', message: 'has to contain at least one inbound interface or gateway' },
    ]);
  });

  it('treats a missing networking like an empty one', () => {
    expect(violationsOf(validateDataplane, {}).map((v) => v.field)).toEqual(['networking.address', 'networking']);
  });

  it('reports every inbound violation together with Kuma paths', () => {
    const spec = {
      networking: {
        address: '192.168.0.1',
        inbound: [{ port: 70000, servicePort: 70001, tags: { 'kuma.io/protocol': 'smtp', 'bad key!': 'x', env: 'bad value!', empty: '' } }],
      },
    };
    expect(violationsOf(validateDataplane, spec)).toEqual([
      { field: 'networking.inbound[0].port', message: 'port has to be in range of [1, 65535]' },
      { field: 'networking.inbound[0].servicePort', message: 'servicePort has to be in range of [0, 65535]' },
      { field: 'networking.inbound[0].tags["kuma.io/service"]', message: 'tag has to exist' },
      {
        field: 'networking.inbound[0].tags["kuma.io/protocol"]',
        message: 'tag "kuma.io/protocol" has an invalid value "smtp". Allowed values: grpc, http, http2, kafka, tcp',
      },
      { field: 'networking.inbound[0].tags["bad key!"]', message: 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores' },
      { field: 'networking.inbound[0].tags["empty"]', message: 'tag value must be non-empty' },
      { field: 'networking.inbound[0].tags["env"]', message: 'tag value must consist of alphanumeric characters, dots, dashes and underscores' },
    ]);
  });

  it('checks inbound addresses', () => {
    const spec = {
      networking: { address: '10.0.0.1', inbound: [{ port: 8080, address: 'not-an-ip', serviceAddress: '10.0.0.1', tags: { 'kuma.io/service': 'web' } }] },
    };
    expect(violationsOf(validateDataplane, spec)).toEqual([
      { field: 'networking.inbound[0].serviceAddress', message: 'serviceAddress and servicePort has to differ from address and port' },
      { field: 'networking.inbound[0].address', message: 'address has to be valid IP address' },
    ]);
  });

  it('checks outbounds: port, address, service via tags or service', () => {
    const spec = {
      networking: {
        address: '10.0.0.1',
        inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }],
        outbound: [{ port: 0, address: 'x' }, { port: 80, tags: { version: 'v1' } }],
      },
    };
    expect(violationsOf(validateDataplane, spec)).toEqual([
      { field: 'networking.outbound[0].port', message: 'port has to be in range of [1, 65535]' },
      { field: 'networking.outbound[0].address', message: 'address has to be valid IP address' },
      { field: 'networking.outbound[0].service', message: 'cannot be empty' },
      { field: 'networking.outbound[1].tags["kuma.io/service"]', message: 'tag has to exist' },
    ]);
  });

  it('refuses inbounds together with a gateway, and a gateway without service', () => {
    const spec = { networking: { address: '10.0.0.1', gateway: { tags: {} }, inbound: [{ port: 1, tags: { 'kuma.io/service': 'a' } }] } };
    expect(violationsOf(validateDataplane, spec)).toEqual([
      { field: 'networking', message: 'inbound cannot be defined both with gateway' },
      { field: 'networking.gateway.tags["kuma.io/service"]', message: 'tag has to exist' },
    ]);
  });

  it('validates ingress mode: one inbound, no outbounds, publicAddress with publicPort', () => {
    const spec = {
      networking: {
        address: '10.0.0.1',
        ingress: { publicAddress: '1.2.3.4', availableServices: [{ tags: { version: 'v1' } }] },
        inbound: [
          { port: 10001, tags: { 'kuma.io/service': 'ingress' } },
          { port: 10002, servicePort: 1, tags: { 'kuma.io/service': 'ingress' } },
        ],
        outbound: [{ port: 1, service: 'x' }],
      },
    };
    expect(violationsOf(validateDataplane, spec)).toEqual([
      { field: 'networking', message: 'dataplane cannot have outbounds in the ingress mode' },
      { field: 'networking', message: 'dataplane must have one inbound interface' },
      { field: 'networking.inbound[1].servicePort', message: 'cannot be defined in the ingress mode' },
      { field: 'networking.ingress.publicPort', message: 'has to be defined with publicAddress' },
      { field: 'networking.ingress.availableServices[0].tags["kuma.io/service"]', message: 'cannot be empty' },
    ]);
  });

  it('accepts a valid ingress', () => {
    const spec = {
      networking: {
        address: '10.0.0.1',
        ingress: { publicAddress: 'ingress.example.com', publicPort: 10001, availableServices: [{ tags: { 'kuma.io/service': 'web' }, instances: 2, mesh: 'default' }] },
        inbound: [{ port: 10001, tags: { 'kuma.io/service': 'ingress' } }],
      },
    };
    expect(violationsOf(validateDataplane, spec)).toEqual([]);
  });

  it('checks transparent proxying ports and probes', () => {
    const spec = {
      networking: {
        address: '10.0.0.1',
        inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }],
        transparentProxying: { redirectPortInbound: 0, redirectPortOutbound: 65536 },
      },
      probes: { port: 9000, endpoints: [{ inboundPort: 8080, inboundPath: 'healthz', path: '/8080/healthz' }] },
    };
    expect(violationsOf(validateDataplane, spec)).toEqual([
      { field: 'networking.transparentProxying.redirectPortInbound', message: 'port has to be in range of [1, 65535]' },
      { field: 'networking.transparentProxying.redirectPortOutbound', message: 'port has to be in range of [1, 65535]' },
      { field: 'probes.endpoints[0].inboundPath', message: 'should be a valid URL Path' },
    ]);
  });

  it('takes networking.admin.port (Kuma 1.5 EnvoyAdmin) when it is free on 127.0.0.1', () => {
    const base = { address: '127.0.0.1', inbound: [{ port: 8080, servicePort: 8081, tags: { 'kuma.io/service': 'web' } }], outbound: [{ port: 10001, tags: { 'kuma.io/service': 'backend' } }] };
    expect(violationsOf(validateDataplane, { networking: { ...base, admin: { port: 9901 } } })).toEqual([]);
    for (const port of [8080, 8081]) {
      expect(violationsOf(validateDataplane, { networking: { ...base, admin: { port } } })).toEqual([{ field: 'networking.admin.port', message: 'must differ from inbound' }]);
    }
    expect(violationsOf(validateDataplane, { networking: { ...base, admin: { port: 10001 } } })).toEqual([{ field: 'networking.admin.port', message: 'must differ from outbound' }]);
    expect(violationsOf(validateDataplane, { networking: { ...base, address: '10.0.0.1', admin: { port: 8080 } } })).toEqual([]);
    expect(violationsOf(validateDataplane, { networking: { ...base, admin: { port: 70000 } } })).toEqual([{ field: 'networking.admin.port', message: 'port has to be in range of [1, 65535]' }]);
  });

  it('reports type errors with their path', () => {
    const spec = { networking: { address: 5, inbound: [{ port: '8080', tags: { 'kuma.io/service': 3 } }], outbound: 'x' } };
    expect(violationsOf(validateDataplane, spec)).toEqual([
      { field: 'networking.address', message: 'must be a string' },
      { field: 'networking.inbound[0].port', message: 'must be an integer' },
      { field: 'networking.inbound[0].tags["kuma.io/service"]', message: 'tag value must be a string' },
      { field: 'networking.outbound', message: 'must be an array' },
    ]);
  });

  it('refuses a spec that is not an object', () => {
    for (const spec of ['dp', 3, null, [], undefined]) {
      expect(violationsOf(validateDataplane, spec)).toEqual([{ field: '', message: 'must be an object' }]);
    }
  });

  it('treats YAML nulls as absent fields', () => {
    expect(violationsOf(validateDataplane, { ...valid, metrics: null, networking: { ...valid.networking, gateway: null } })).toEqual([]);
  });
});

describe('Dataplane metrics override', () => {
  const base = { networking: { address: '10.0.0.1', inbound: [{ port: 8080, tags: { 'kuma.io/service': 'web' } }] } };

  it('accepts a prometheus override', () => {
    expect(violationsOf(validateDataplane, { ...base, metrics: { type: 'prometheus', conf: { port: 9102, path: '/stats', tags: { team: 'a' }, skipMTLS: true } } })).toEqual([]);
  });

  it('refuses another type, a bad port, path or field', () => {
    expect(violationsOf(validateDataplane, { ...base, metrics: { type: 'statsd' } })).toEqual([{ field: 'metrics.type', message: 'unknown backend type. Available backends: "prometheus"' }]);
    expect(violationsOf(validateDataplane, { ...base, metrics: { type: 'prometheus', conf: { port: 70000, path: 'x', portt: 1 } } })).toEqual(
      expect.arrayContaining([
        { field: 'metrics.conf.port', message: 'port has to be in range of [1, 65535]' },
        { field: 'metrics.conf.path', message: 'should be a valid URL Path' },
        expect.objectContaining({ field: 'metrics.conf.portt' }),
      ]),
    );
  });
});
