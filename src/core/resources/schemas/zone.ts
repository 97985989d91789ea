import { z } from 'zod';
import type { ZoneSpec } from '../specs.js';
import { defineValidator } from './define.js';
import { booleanSchema } from './numbers.js';

/** A Zone is enabled unless said otherwise; a disabled zone's resources are not synced to others. */
const schema = z.object({ enabled: booleanSchema.default(true) }) satisfies z.ZodType<ZoneSpec>;

export const validateZone = defineValidator(schema);
