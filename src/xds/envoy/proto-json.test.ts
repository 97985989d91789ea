import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toEnvoyJson } from './envoy-json.js';
import { encodeResource } from './encode.js';
import { fromEnvoyJson, ProtoJsonError } from './proto-json.js';
import { validateResource } from './validate.js';
import { TYPE_URLS } from '../resource.js';

const clusterYaml = `
name: backend
connectTimeout: 1.5s
type: STRICT_DNS
lbPolicy: ROUND_ROBIN
circuit_breakers:
  thresholds:
    - maxConnections: 100
loadAssignment:
  clusterName: backend
  endpoints:
    - lbEndpoints:
        - endpoint: { address: { socketAddress: { address: backend.example, portValue: 8080 } } }
metadata: { filterMetadata: { custom: { a: 1, b: [x, true], c: null } } }
typedExtensionProtocolOptions:
  envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
    '@type': type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
    explicitHttpConfig: { http2ProtocolOptions: {} }
`;

describe('fromEnvoyJson (Envoy YAML/JSON -> encoder input)', () => {
  it('reads camelCase and snake_case names, enums, durations, wrappers, Structs and Any with @type', () => {
    const r = encodeResource(TYPE_URLS.cluster, 'backend', fromEnvoyJson('envoy.config.cluster.v3.Cluster', parse(clusterYaml)));
    expect(validateResource(r)).toEqual([]);
    const back = toEnvoyJson(TYPE_URLS.cluster, r.bytes);
    expect(back).toMatchObject({
      name: 'backend',
      connect_timeout: '1.5s',
      type: 'STRICT_DNS',
      circuit_breakers: { thresholds: [{ max_connections: 100 }] },
      metadata: { filter_metadata: { custom: { a: 1, b: ['x', true], c: null } } },
      typed_extension_protocol_options: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { explicit_http_config: { http2_protocol_options: {} } } },
    });
  });

  it('loads an extension type on first use (HTTP fault filter)', () => {
    const filter = fromEnvoyJson('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter', {
      name: 'envoy.filters.http.fault',
      typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', delay: { fixedDelay: '0.1s', percentage: { numerator: 50 } } },
    });
    expect(filter['name']).toBe('envoy.filters.http.fault');
  });

  it('refuses what protojson refuses, naming the place', () => {
    const bad: [unknown, RegExp][] = [
      [{ name: 'x', conectTimeout: '1s' }, /Cluster\.conectTimeout: unknown field "conectTimeout"/],
      [{ name: 'x', connectTimeout: 'soon' }, /connectTimeout: must be a duration/],
      [{ name: 'x', type: 'SOMETIMES' }, /type: "SOMETIMES" is not a value of DiscoveryType/],
      [{ name: 'x', type: 'STATIC', clusterType: { name: 'y' } }, /oneof cluster_discovery_type already has type/],
      [{ name: 7 }, /name: must be a string/],
      [{ name: 'x', perConnectionBufferLimitBytes: -1 }, /out of range/],
      [{ name: 'x', typedExtensionProtocolOptions: { a: { '@type': 'type.googleapis.com/no.such.Type' } } }, /unknown type "type.googleapis.com\/no.such.Type"/],
      [{ name: 'x', typedExtensionProtocolOptions: { a: { value: 1 } } }, /"@type" is missing/],
      [['a list'], /must be an object/],
    ];
    for (const [json, message] of bad) {
      expect(() => fromEnvoyJson('envoy.config.cluster.v3.Cluster', json)).toThrow(ProtoJsonError);
      expect(() => fromEnvoyJson('envoy.config.cluster.v3.Cluster', json)).toThrow(message);
    }
  });
});
