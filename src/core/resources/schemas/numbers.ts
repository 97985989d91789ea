import { z } from 'zod';

const typeError = (what: string) => (iss: { input?: unknown }) => (iss.input === undefined ? 'has to be defined' : `must be ${what}`);

/** The largest protobuf uint32 (and the largest sum of weights Envoy and gRPC accept). */
export const UINT32_MAX = 4_294_967_295;

/** A non-negative integer up to 2^32-1 (protobuf uint32 / UInt32Value). */
export const uint32Schema = z
  .number({ error: typeError('a non-negative integer') })
  .int({ message: 'must be a non-negative integer' })
  .min(0, { message: 'must be a non-negative integer' })
  .max(UINT32_MAX, { message: `must be at most ${UINT32_MAX}` });

/** An integer accepted as is, so that a range rule can report Kuma's message for out-of-range ports. */
export const intSchema = z.number({ error: typeError('an integer') }).int({ message: 'must be an integer' });

/** A number (protobuf double/float). */
export const numberSchema = z.number({ error: typeError('a number') });

export const stringSchema = z.string({ error: typeError('a string') });
export const booleanSchema = z.boolean({ error: typeError('a boolean') });

export const PORT_RANGE_MESSAGE = 'port has to be in range of [1, 65535]';

export function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/** A free-form JSON object (Envoy/backend configuration kept as given). */
export const looseObjectSchema = z.record(z.string(), z.unknown(), { error: typeError('an object') });
