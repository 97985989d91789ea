import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { SERVICE_SELECTORS } from './selectors.js';

/** `conf.backend` names a logging backend of the mesh; empty means the mesh's default backend. */
export const trafficLogSchema = connectionPolicySchema(z.object({ backend: stringSchema.optional() }));

export const validateTrafficLog = defineValidator(trafficLogSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, SERVICE_SELECTORS);
});
