/** google.protobuf.Duration as protobufjs `fromObject` accepts it. */
export interface DurationValue {
  readonly seconds: number;
  readonly nanos?: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses Kuma/Go-style durations (`250ms`, `5s`, `1.5m`, `1h`, `1m30s`); undefined if malformed. */
export function parseDuration(text: string): DurationValue | undefined {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(text) ? text.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g) : null;
  if (!parts) return undefined;
  let ms = 0;
  for (const part of parts) {
    const unit = /(ms|s|m|h)$/.exec(part)?.[1] ?? 's';
    ms += Number(part.slice(0, part.length - unit.length)) * (UNIT_MS[unit] ?? 1000);
  }
  return fromMillis(ms);
}

export function fromMillis(ms: number): DurationValue {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1_000_000);
  return nanos ? { seconds, nanos } : { seconds };
}
