import { parseDuration as parseKumaDuration } from '../../core/resources/schemas/durations.js';

/** google.protobuf.Duration as protobufjs `fromObject` accepts it. */
export interface DurationValue {
  readonly seconds: number;
  readonly nanos?: number;
}

/**
 * Any duration the resource validators accept (Go syntax: `250ms`, `1m30s`, `.5s`, `100us`, `0`), as a
 * protobuf Duration; undefined if malformed. One parser for validation and generation, so nothing that
 * passes validation is silently dropped from the generated config.
 */
export function parseDuration(text: string): DurationValue | undefined {
  const parts = parseKumaDuration(text);
  if (!parts) return undefined;
  return parts.nanos ? { seconds: parts.seconds, nanos: parts.nanos } : { seconds: parts.seconds };
}

export function fromMillis(ms: number): DurationValue {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1_000_000);
  return nanos ? { seconds, nanos } : { seconds };
}
