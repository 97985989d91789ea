import { z } from 'zod';
import { SERVICE_TAG } from '../well-known-tags.js';
import { isIpOrDnsName, splitHostPort } from './addresses.js';
import { dataSourceSchema, validateDataSource } from './data-source.js';
import { defineValidator } from './define.js';
import { booleanSchema, stringSchema } from './numbers.js';
import { FieldPath } from './path.js';
import { tagsSchema, validateProtocolValue, validateTags } from './tags.js';
import type { Violations } from './violations.js';

export const externalServiceSchema = z.object({
  networking: z
    .object({
      address: stringSchema.default(''),
      tls: z
        .object({
          enabled: booleanSchema.optional(),
          caCert: dataSourceSchema.optional(),
          clientCert: dataSourceSchema.optional(),
          clientKey: dataSourceSchema.optional(),
          allowRenegotiation: booleanSchema.optional(),
          /** Kuma 1.4+: SNI sent to the upstream and the name its certificate must carry (default: the address host). */
          serverName: stringSchema.optional(),
        })
        .optional(),
    })
    .default({ address: '' }),
  tags: tagsSchema.default({}),
});

type Parsed = z.output<typeof externalServiceSchema>;

function validateAddress(path: FieldPath, address: string, v: Violations): void {
  if (address === '') {
    v.add(path, "address can't be empty");
    return;
  }
  const hp = splitHostPort(address);
  if (!hp) {
    v.add(path, 'unable to parse address');
    return;
  }
  if (!isIpOrDnsName(hp.host)) v.add(path, 'address has to be a valid IP address or a domain name');
  if (!/^\d+$/.test(hp.port)) v.add(path, 'unable to parse port in address');
  else if (Number(hp.port) < 1 || Number(hp.port) > 65535) v.add(path, 'port must be in the range [1, 65535]');
}

function validateNetworking(networking: Parsed['networking'], v: Violations): void {
  const path = FieldPath.root('networking');
  validateAddress(path.field('address'), networking.address, v);
  const tls = path.field('tls');
  const serverName = networking.tls?.serverName;
  if (serverName !== undefined && serverName === '') v.add(tls.field('serverName'), 'cannot be empty');
  else if (serverName !== undefined && !isIpOrDnsName(serverName)) v.add(tls.field('serverName'), 'has to be a valid IP address or a domain name');
  validateDataSource(tls.field('caCert'), networking.tls?.caCert, v);
  validateDataSource(tls.field('clientCert'), networking.tls?.clientCert, v);
  validateDataSource(tls.field('clientKey'), networking.tls?.clientKey, v);
}

export const validateExternalService = defineValidator(externalServiceSchema, (spec, v) => {
  validateNetworking(spec.networking, v);
  const tags = FieldPath.root('tags');
  validateTags(tags, spec.tags, v, { requireService: true });
  validateProtocolValue(tags, spec.tags, v);
  const service = spec.tags[SERVICE_TAG];
  const host = splitHostPort(spec.networking.address)?.host;
  if (service !== undefined && service === host) v.add(tags.key(SERVICE_TAG), 'cannot be the same as networking.address');
});
