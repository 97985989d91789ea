import { z } from 'zod';
import type { TrafficPermissionSpec } from '../specs.js';
import { validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { SERVICE_SELECTORS, selectorsSchema } from './selectors.js';

/** TrafficPermission has no conf; a conf sent anyway is refused like any unknown field. */
const schema = z.object({ sources: selectorsSchema, destinations: selectorsSchema }) satisfies z.ZodType<TrafficPermissionSpec>;

export const validateTrafficPermission = defineValidator(schema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, SERVICE_SELECTORS);
});
