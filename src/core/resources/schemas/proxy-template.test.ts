import { describe, expect, it } from 'vitest';
import { validateProxyTemplate } from './proxy-template.js';
import { violationsOf } from './violations-of.js';

const selectors = [{ match: { 'kuma.io/service': 'backend' } }];

describe('ProxyTemplate', () => {
  it('accepts the Kuma docs proxy template', () => {
    const spec = {
      selectors,
      conf: {
        imports: ['default-proxy'],
        resources: [{ name: 'localhost:9901', version: 'v1', resource: 'name: localhost:9901\nconnectTimeout: 5s\ntype: STATIC\n' }],
        modifications: [
          { cluster: { operation: 'patch', match: { name: 'outbound:backend', origin: 'outbound' }, value: 'connectTimeout: 2s\n' } },
          { cluster: { operation: 'remove', match: { name: 'outbound:old' } } },
          { listener: { operation: 'add', value: 'name: extra\naddress: {socketAddress: {address: 0.0.0.0, portValue: 9999}}\n' } },
          { networkFilter: { operation: 'addBefore', match: { name: 'envoy.filters.network.tcp_proxy' }, value: 'name: envoy.filters.network.local_ratelimit\n' } },
          { httpFilter: { operation: 'addFirst', value: '{"name": "envoy.filters.http.gzip"}' } },
          { virtualHost: { operation: 'add', match: { routeConfigurationName: 'outbound:backend' }, value: 'name: vh\ndomains: ["*"]\n' } },
        ],
      },
    };
    expect(validateProxyTemplate(spec, { name: 'pt', mesh: 'default' })).toEqual(spec);
  });

  it('requires selectors with a service', () => {
    expect(violationsOf(validateProxyTemplate, { conf: { imports: ['default-proxy'] } })).toEqual([{ field: 'selectors', message: 'must have at least one element' }]);
  });

  it('checks imports, raw resources and modifications', () => {
    const spec = {
      selectors,
      conf: {
        imports: ['custom-template', ''],
        resources: [{ name: '', resource: ':\n  - : ]' }],
        modifications: [
          { cluster: { operation: 'replace' } },
          { httpFilter: { operation: 'addAfter', value: 'name: x' } },
          { networkFilter: { operation: 'patch', value: 'name: x' } },
          { listener: { operation: 'add', match: { name: 'l' }, value: '- a list' } },
          { cluster: { operation: 'remove' }, listener: { operation: 'remove' } },
          {},
        ],
      },
    };
    const violations = violationsOf(validateProxyTemplate, spec);
    expect(violations.map((v) => v.field)).toEqual([
      'conf.imports[0]',
      'conf.imports[1]',
      'conf.resources[0].name',
      'conf.resources[0].version',
      'conf.resources[0].resource',
      'conf.modifications[0].cluster.operation',
      'conf.modifications[1].httpFilter.match.name',
      'conf.modifications[2].networkFilter.match.name',
      'conf.modifications[3].listener.match',
      'conf.modifications[3].listener.value',
      'conf.modifications[4]',
      'conf.modifications[5]',
    ]);
    expect(violations[0]?.message).toBe('profile not found. Available profiles: default-proxy');
    expect(violations[1]?.message).toBe('cannot be empty');
    expect(violations[4]?.message).toMatch(/^native Envoy resource is not valid: /);
    expect(violations[5]?.message).toBe('invalid operation. Available operations: "add", "patch", "remove"');
    expect(violations[6]?.message).toBe('cannot be empty. You need to pick a filter after which this one will be added');
    expect(violations[8]?.message).toBe('cannot be defined');
    expect(violations[9]?.message).toBe('native Envoy resource is not valid: has to be a YAML or JSON object');
    expect(violations[10]?.message).toBe('has to have exactly one of: cluster, listener, networkFilter, httpFilter, virtualHost');
  });
});
