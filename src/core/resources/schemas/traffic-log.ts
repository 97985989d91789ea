import { z } from 'zod';
import type { ConnectionPolicySpec } from '../specs.js';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { SERVICE_SELECTORS } from './selectors.js';

/** `conf.backend` names a logging backend of the mesh; empty means the mesh's default backend. */
const schema = connectionPolicySchema(z.object({ backend: stringSchema.optional() })) satisfies z.ZodType<ConnectionPolicySpec>;

export const validateTrafficLog = defineValidator(schema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, SERVICE_SELECTORS);
});
