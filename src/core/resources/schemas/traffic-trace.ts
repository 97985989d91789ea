import { z } from 'zod';
import { selectorPolicySchema } from './connection-policy.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { FieldPath } from './path.js';
import { SERVICE_SELECTORS, validateSelectors } from './selectors.js';

/** `conf.backend` names a tracing backend of the mesh; empty means the mesh's default backend. */
export const trafficTraceSchema = selectorPolicySchema(z.object({ backend: stringSchema.optional() }));

export const validateTrafficTrace = defineValidator(trafficTraceSchema, (spec, v) => {
  validateSelectors(FieldPath.root('selectors'), spec.selectors, v, SERVICE_SELECTORS);
});
