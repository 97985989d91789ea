import { z } from 'zod';
import { BASE64_MESSAGE, isBase64 } from './base64.js';
import { stringSchema } from './numbers.js';
import type { FieldPath } from './path.js';
import type { Violations } from './violations.js';

/** Kuma's DataSource: exactly one of secret (name), file (path), inline (base64) or inlineString. */
export const dataSourceSchema = z.object({
  secret: stringSchema.optional(),
  file: stringSchema.optional(),
  inline: stringSchema.refine(isBase64, { message: BASE64_MESSAGE }).optional(),
  inlineString: stringSchema.optional(),
});
export type DataSource = z.output<typeof dataSourceSchema>;

const KINDS = ['secret', 'file', 'inline', 'inlineString'] as const;

export function validateDataSource(path: FieldPath, ds: DataSource | undefined, v: Violations): void {
  if (ds === undefined) return;
  const set = KINDS.filter((k) => ds[k] !== undefined && ds[k] !== '');
  if (set.length === 0) v.add(path, 'data source cannot be empty');
  else if (set.length > 1) v.add(path, `data source has to have exactly one of: ${KINDS.join(', ')}`);
}
