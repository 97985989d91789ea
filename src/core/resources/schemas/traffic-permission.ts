import { z } from 'zod';
import { validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { SERVICE_SELECTORS, selectorsSchema } from './selectors.js';

/** TrafficPermission has no conf; a conf sent anyway is refused like any unknown field. */
export const trafficPermissionSchema = z.object({ sources: selectorsSchema, destinations: selectorsSchema });

export const validateTrafficPermission = defineValidator(trafficPermissionSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, SERVICE_SELECTORS);
});
