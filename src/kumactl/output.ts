import { stringify } from 'yaml';
import { usageError } from './kumactl-error.js';

export const OUTPUT_FORMATS = ['table', 'yaml', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat(value: string | undefined): OutputFormat {
  const v = value ?? 'table';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(v)) throw usageError(`unknown output format "${v}"; one of: ${OUTPUT_FORMATS.join(', ')}`);
  return v as OutputFormat;
}

/** YAML or JSON of what the API answered; tables are drawn by each command. */
export function serialise(value: unknown, format: Exclude<OutputFormat, 'table'>): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}
