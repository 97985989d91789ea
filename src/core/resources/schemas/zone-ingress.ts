import { z } from 'zod';
import { isIpOrDnsName } from './addresses.js';
import { availableServiceSchema, validateAvailableServices } from './available-services.js';
import { defineValidator } from './define.js';
import { intSchema, isPort, PORT_RANGE_MESSAGE, stringSchema } from './numbers.js';
import { FieldPath } from './path.js';

export const zoneIngressSchema = z.object({
  zone: stringSchema.optional(),
  networking: z
    .object({
      address: stringSchema.default(''),
      advertisedAddress: stringSchema.optional(),
      port: intSchema.default(0),
      advertisedPort: intSchema.optional(),
    })
    .default({ address: '', port: 0 }),
  availableServices: z.array(availableServiceSchema).optional(),
});

const ADDRESS_MESSAGE = 'address has to be valid IP address or domain name';

/** Kuma 1.2 ZoneIngress; the address may be left empty and filled in from the connection. */
export const validateZoneIngress = defineValidator(zoneIngressSchema, (spec, v) => {
  const n = spec.networking;
  const path = FieldPath.root('networking');
  if (!n.advertisedAddress && n.advertisedPort !== undefined) v.add(path.field('advertisedAddress'), 'has to be defined with advertisedPort');
  if (n.advertisedAddress && n.advertisedPort === undefined) v.add(path.field('advertisedPort'), 'has to be defined with advertisedAddress');
  if (n.address && !isIpOrDnsName(n.address)) v.add(path.field('address'), ADDRESS_MESSAGE);
  if (n.advertisedAddress && !isIpOrDnsName(n.advertisedAddress)) v.add(path.field('advertisedAddress'), ADDRESS_MESSAGE);
  if (n.port === 0) v.add(path.field('port'), 'port has to be defined');
  else if (!isPort(n.port)) v.add(path.field('port'), PORT_RANGE_MESSAGE);
  if (n.advertisedPort !== undefined && !isPort(n.advertisedPort)) v.add(path.field('advertisedPort'), PORT_RANGE_MESSAGE);
  validateAvailableServices(FieldPath.root('availableServices'), spec.availableServices ?? [], v);
});
