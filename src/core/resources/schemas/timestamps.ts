import { z } from 'zod';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isRfc3339(s: string): boolean {
  return RFC3339.test(s) && !Number.isNaN(Date.parse(s));
}

export const TIMESTAMP_MESSAGE = 'must be an RFC 3339 timestamp, e.g. "2021-02-03T04:05:06Z"';

export const timestampSchema = z
  .string({ error: (iss) => (iss.input === undefined ? 'has to be defined' : TIMESTAMP_MESSAGE) })
  .refine(isRfc3339, { message: TIMESTAMP_MESSAGE });
