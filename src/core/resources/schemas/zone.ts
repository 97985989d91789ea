import { z } from 'zod';
import { defineValidator } from './define.js';
import { booleanSchema } from './numbers.js';

/** A Zone is enabled unless said otherwise; a disabled zone's resources are not synced to others. */
export const zoneSchema = z.object({ enabled: booleanSchema.default(true) });

export const validateZone = defineValidator(zoneSchema);
