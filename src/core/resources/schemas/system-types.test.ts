import { describe, expect, it } from 'vitest';
import { validateDataplaneInsight, validateZoneInsight } from './insights.js';
import { validateSecret } from './secret.js';
import { validateVirtualIP } from './virtual-ip.js';
import { validateZone } from './zone.js';
import { validateZoneIngress } from './zone-ingress.js';
import { violationsOf } from './violations-of.js';

const global = { name: 'x', mesh: '' };

describe('Secret / GlobalSecret', () => {
  it('requires base64 data', () => {
    expect(validateSecret({ data: 'c2VjcmV0' }, { name: 's', mesh: 'default' })).toEqual({ data: 'c2VjcmV0' });
    expect(violationsOf(validateSecret, { data: 'c2VjcmV0', extra: 1 })).toEqual([{ field: 'extra', message: 'unknown field' }]);
    expect(violationsOf(validateSecret, {})).toEqual([{ field: 'data', message: 'cannot be empty' }]);
    expect(violationsOf(validateSecret, { data: 'not base64!' })).toEqual([{ field: 'data', message: 'must be valid base64' }]);
    expect(violationsOf(validateSecret, { data: 42 })).toEqual([{ field: 'data', message: 'must be a string' }]);
  });
});

describe('Zone', () => {
  it('is enabled by default', () => {
    expect(validateZone({}, global)).toEqual({ enabled: true });
    expect(validateZone({ enabled: false }, global)).toEqual({ enabled: false });
    expect(violationsOf(validateZone, { enabled: 'no' })).toEqual([{ field: 'enabled', message: 'must be a boolean' }]);
  });
});

describe('ZoneIngress', () => {
  it('accepts a zone ingress', () => {
    const spec = {
      zone: 'zone-1',
      networking: { address: '10.0.0.1', advertisedAddress: 'ingress.zone-1.example.com', port: 10001, advertisedPort: 10001 },
      availableServices: [{ tags: { 'kuma.io/service': 'web', version: 'v1' }, instances: 2, mesh: 'default' }],
    };
    expect(validateZoneIngress(spec, global)).toEqual(spec);
  });

  it('checks ports, advertised pair and available services', () => {
    const spec = { networking: { advertisedPort: 70000 }, availableServices: [{ tags: { version: 'v1' } }] };
    expect(violationsOf(validateZoneIngress, spec)).toEqual([
      { field: 'networking.advertisedAddress', message: 'has to be defined with advertisedPort' },
      { field: 'networking.port', message: 'port has to be defined' },
      { field: 'networking.advertisedPort', message: 'port has to be in range of [1, 65535]' },
      { field: 'availableServices[0].tags["kuma.io/service"]', message: 'cannot be empty' },
    ]);
    expect(violationsOf(validateZoneIngress, { networking: { address: 'bad address', advertisedAddress: '1.2.3.4', port: 1 } })).toEqual([
      { field: 'networking.advertisedPort', message: 'has to be defined with advertisedAddress' },
      { field: 'networking.address', message: 'address has to be valid IP address or domain name' },
    ]);
  });
});

describe('VirtualIP', () => {
  it('accepts allocated and freed VIPs', () => {
    expect(validateVirtualIP({ ip: '240.0.0.1', service: 'web' }, { name: '240-0-0-1', mesh: '' })).toEqual({ ip: '240.0.0.1', service: 'web' });
    expect(violationsOf(validateVirtualIP, { ip: '240.0.0.2', freedAt: '2021-05-01T10:00:00.123Z' })).toEqual([]);
  });

  it('requires an IPv4 and a timestamp', () => {
    expect(violationsOf(validateVirtualIP, { ip: '::1', service: '', freedAt: 'yesterday' })).toEqual([{ field: 'freedAt', message: 'must be an RFC 3339 timestamp, e.g. "2021-02-03T04:05:06Z"' }]);
    expect(violationsOf(validateVirtualIP, { ip: '::1', service: '' })).toEqual([
      { field: 'ip', message: 'must be a valid IPv4 address' },
      { field: 'service', message: 'cannot be empty when defined' },
    ]);
  });
});

describe('insights', () => {
  const subscription = {
    id: 'e1f3b2a4',
    controlPlaneInstanceId: 'cp-1',
    connectTime: '2021-02-03T04:05:06Z',
    status: { lastUpdateTime: '2021-02-03T04:05:07Z', total: { responsesSent: 4, responsesAcknowledged: 4 }, cds: { responsesSent: 1, responsesAcknowledged: 1 } },
    version: { kumaDp: { version: '1.1.6' }, envoy: { version: '1.17.0' } },
  };

  it('fills absent counters with zero', () => {
    const out = validateDataplaneInsight({ subscriptions: [subscription] }, { name: 'dp', mesh: 'default' }) as { subscriptions: { status: { total: unknown } }[] };
    expect(out.subscriptions[0]?.status.total).toEqual({ responsesSent: 4, responsesAcknowledged: 4, responsesRejected: 0 });
  });

  it('reports malformed subscriptions', () => {
    expect(violationsOf(validateDataplaneInsight, { subscriptions: [{ id: 1, connectTime: 'now', status: { total: { responsesSent: -1 } } }] })).toEqual([
      { field: 'subscriptions[0].id', message: 'must be a string' },
      { field: 'subscriptions[0].controlPlaneInstanceId', message: 'has to be defined' },
      { field: 'subscriptions[0].connectTime', message: 'must be an RFC 3339 timestamp, e.g. "2021-02-03T04:05:06Z"' },
      { field: 'subscriptions[0].status.total.responsesSent', message: 'must be a non-negative integer' },
    ]);
  });

  it('keeps per-type KDS stats keyed by type name', () => {
    const spec = {
      subscriptions: [
        {
          id: 's1',
          globalInstanceId: 'global-1',
          connectTime: '2021-02-03T04:05:06+01:00',
          disconnectTime: '2021-02-03T05:05:06+01:00',
          status: { total: { responsesSent: 2, responsesAcknowledged: 2, responsesRejected: 0 }, stat: { TrafficRoute: { responsesSent: 'x' } } },
        },
      ],
    };
    expect(violationsOf(validateZoneInsight, spec)).toEqual([{ field: 'subscriptions[0].status.stat["TrafficRoute"].responsesSent', message: 'must be a non-negative integer' }]);
  });
});
