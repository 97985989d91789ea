import { z } from 'zod';
import { isIpv4Address } from './addresses.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { FieldPath } from './path.js';
import { timestampSchema } from './timestamps.js';

export const virtualIpSchema = z.object({
  ip: stringSchema.default(''),
  service: stringSchema.optional(),
  freedAt: timestampSchema.optional(),
});

export const validateVirtualIP = defineValidator(virtualIpSchema, (spec, v) => {
  if (!isIpv4Address(spec.ip)) v.add(FieldPath.root('ip'), 'must be a valid IPv4 address');
  if (spec.service === '') v.add(FieldPath.root('service'), 'cannot be empty when defined');
});
