import { z } from 'zod';

/** A duration split the way protobuf's google.protobuf.Duration (and Envoy) wants it. */
export interface DurationParts {
  seconds: number;
  nanos: number;
}

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const COMPONENT = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
/** protobuf's Duration range: +-315,576,000,000 seconds. */
const MAX_NANOS = 315_576_000_000n * 1_000_000_000n;

function componentNanos(number: string, unit: bigint): bigint {
  const [whole = '', frac = ''] = number.split('.');
  const scale = 10n ** BigInt(frac.length);
  const total = BigInt(whole || '0') * scale + BigInt(frac || '0');
  return (total * unit) / scale;
}

/**
 * Parses a Go `time.ParseDuration` string (`5s`, `1h`, `250ms`, `1m30s`, `0.5s`, `0`), which is also
 * what protobuf JSON durations look like (`1.5s`). Negative durations are not accepted.
 */
export function parseDurationNanos(text: string): bigint | undefined {
  if (text === '0') return 0n;
  if (text === '') return undefined;
  let total = 0n;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < text.length) {
    const m = COMPONENT.exec(text);
    if (!m) return undefined;
    const unit = NANOS_PER_UNIT[m[2] ?? ''];
    if (unit === undefined) return undefined;
    total += componentNanos(m[1] ?? '0', unit);
  }
  return total <= MAX_NANOS ? total : undefined;
}

export function parseDuration(text: string): DurationParts | undefined {
  const nanos = parseDurationNanos(text);
  if (nanos === undefined) return undefined;
  return { seconds: Number(nanos / 1_000_000_000n), nanos: Number(nanos % 1_000_000_000n) };
}

/** Milliseconds of a valid duration string (fractions of a millisecond kept); undefined if invalid. */
export function durationMillis(text: string): number | undefined {
  const nanos = parseDurationNanos(text);
  return nanos === undefined ? undefined : Number(nanos) / 1e6;
}

export function isZeroDuration(text: string): boolean {
  return parseDurationNanos(text) === 0n;
}

export const DURATION_MESSAGE = 'must be a valid duration, e.g. "5s", "250ms", "1m30s"';

/** A duration string field. */
export const durationSchema = z
  .string({ error: (iss) => (iss.input === undefined ? 'has to be defined' : DURATION_MESSAGE) })
  .refine((s) => parseDurationNanos(s) !== undefined, { message: DURATION_MESSAGE });
