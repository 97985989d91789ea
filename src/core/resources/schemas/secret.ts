import { z } from 'zod';
import { BASE64_MESSAGE, isBase64 } from './base64.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { FieldPath } from './path.js';

export const secretSchema = z.object({ data: stringSchema.default('') });

/** Secret and GlobalSecret: `data` holds the secret's bytes in base64. */
export const validateSecret = defineValidator(secretSchema, (spec, v) => {
  const path = FieldPath.root('data');
  if (spec.data === '') v.add(path, 'cannot be empty');
  else if (!isBase64(spec.data)) v.add(path, BASE64_MESSAGE);
});
