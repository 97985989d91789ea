import { z } from 'zod';
import type { VirtualIPSpec } from '../specs.js';
import { isIpv4Address } from './addresses.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { FieldPath } from './path.js';
import { timestampSchema } from './timestamps.js';

const schema = z.object({
  ip: stringSchema.default(''),
  service: stringSchema.optional(),
  freedAt: timestampSchema.optional(),
}) satisfies z.ZodType<VirtualIPSpec>;

export const validateVirtualIP = defineValidator(schema, (spec, v) => {
  if (!isIpv4Address(spec.ip)) v.add(FieldPath.root('ip'), 'must be a valid IPv4 address');
  if (spec.service === '') v.add(FieldPath.root('service'), 'cannot be empty when defined');
});
