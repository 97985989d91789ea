import { describe, expect, it } from 'vitest';
import { validateExternalService } from './external-service.js';
import { violationsOf } from './violations-of.js';

describe('ExternalService', () => {
  it('accepts the Kuma docs external service', () => {
    const spec = {
      networking: {
        address: 'httpbin.org:443',
        tls: { enabled: true, caCert: { inline: 'LS0tLS1CRUdJTg==' }, clientCert: { secret: 'client-cert' }, clientKey: { file: '/tmp/key.pem' }, allowRenegotiation: false },
      },
      tags: { 'kuma.io/service': 'httpbin', 'kuma.io/protocol': 'http' },
    };
    expect(validateExternalService(spec, { name: 'httpbin', mesh: 'default' })).toEqual(spec);
    expect(violationsOf(validateExternalService, { networking: { address: '[2001:db8::1]:8080' }, tags: { 'kuma.io/service': 'v6' } })).toEqual([]);
  });

  it('requires an address with a valid port and a service tag', () => {
    expect(violationsOf(validateExternalService, {})).toEqual([
      { field: 'networking.address', message: "address can't be empty" },
      { field: 'tags', message: 'mandatory tag "kuma.io/service" is missing' },
    ]);
    expect(violationsOf(validateExternalService, { networking: { address: 'httpbin.org' }, tags: { 'kuma.io/service': 'a' } })).toEqual([
      { field: 'networking.address', message: 'unable to parse address' },
    ]);
    expect(violationsOf(validateExternalService, { networking: { address: 'bad host!:http' }, tags: { 'kuma.io/service': 'a' } })).toEqual([
      { field: 'networking.address', message: 'address has to be a valid IP address or a domain name' },
      { field: 'networking.address', message: 'unable to parse port in address' },
    ]);
    expect(violationsOf(validateExternalService, { networking: { address: 'a.com:70000' }, tags: { 'kuma.io/service': 'a' } })).toEqual([
      { field: 'networking.address', message: 'port must be in the range [1, 65535]' },
    ]);
  });

  it('checks tags, protocol and data sources', () => {
    const spec = {
      networking: { address: 'api:80', tls: { caCert: {}, clientCert: { secret: 'a', file: '/b' }, clientKey: { inline: '***' } } },
      tags: { 'kuma.io/service': 'api', 'kuma.io/protocol': 'ftp' },
    };
    expect(violationsOf(validateExternalService, spec)).toEqual([{ field: 'networking.tls.clientKey.inline', message: 'must be valid base64' }]);
    const fixed = { ...spec, networking: { ...spec.networking, tls: { ...spec.networking.tls, clientKey: { inline: 'YQ==' } } } };
    expect(violationsOf(validateExternalService, fixed)).toEqual([
      { field: 'networking.tls.caCert', message: 'data source cannot be empty' },
      { field: 'networking.tls.clientCert', message: 'data source has to have exactly one of: secret, file, inline, inlineString' },
      { field: 'tags["kuma.io/protocol"]', message: 'tag "kuma.io/protocol" has an invalid value "ftp". Allowed values: grpc, http, http2, kafka, tcp' },
      { field: 'tags["kuma.io/service"]', message: 'cannot be the same as networking.address' },
    ]);
  });

  it('accepts tls.serverName (Kuma 1.4+) as a host name or IP, refuses an empty or malformed one', () => {
    const with_ = (serverName: string) => ({ networking: { address: '10.0.0.1:443', tls: { enabled: true, serverName } }, tags: { 'kuma.io/service': 'api' } });
    expect(validateExternalService(with_('api.example.com'), { name: 'api', mesh: 'default' })).toEqual(with_('api.example.com'));
    expect(violationsOf(validateExternalService, with_('10.0.0.1'))).toEqual([]);
    expect(violationsOf(validateExternalService, with_(''))).toEqual([{ field: 'networking.tls.serverName', message: 'cannot be empty' }]);
    expect(violationsOf(validateExternalService, with_('bad name!'))).toEqual([{ field: 'networking.tls.serverName', message: 'has to be a valid IP address or a domain name' }]);
  });
});
