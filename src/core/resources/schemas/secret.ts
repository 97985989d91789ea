import { z } from 'zod';
import type { SecretSpec } from '../specs.js';
import { BASE64_MESSAGE, isBase64 } from './base64.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { FieldPath } from './path.js';

const schema = z.object({ data: stringSchema.default('') }) satisfies z.ZodType<SecretSpec>;

/** Secret and GlobalSecret: `data` holds the secret's bytes in base64. */
export const validateSecret = defineValidator(schema, (spec, v) => {
  const path = FieldPath.root('data');
  if (spec.data === '') v.add(path, 'cannot be empty');
  else if (!isBase64(spec.data)) v.add(path, BASE64_MESSAGE);
});
