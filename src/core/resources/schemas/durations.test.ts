import { describe, expect, it } from 'vitest';
import { durationMillis, durationSchema, isZeroDuration, parseDuration } from './durations.js';

describe('durations', () => {
  it.each([
    ['5s', { seconds: 5, nanos: 0 }],
    ['1h', { seconds: 3600, nanos: 0 }],
    ['250ms', { seconds: 0, nanos: 250_000_000 }],
    ['1m30s', { seconds: 90, nanos: 0 }],
    ['0.5s', { seconds: 0, nanos: 500_000_000 }],
    ['1.5s', { seconds: 1, nanos: 500_000_000 }],
    ['1h2m3.004s', { seconds: 3723, nanos: 4_000_000 }],
    ['10us', { seconds: 0, nanos: 10_000 }],
    ['7ns', { seconds: 0, nanos: 7 }],
    ['0', { seconds: 0, nanos: 0 }],
    ['.5m', { seconds: 30, nanos: 0 }],
  ])('parses %s', (text, parts) => {
    expect(parseDuration(text)).toEqual(parts);
  });

  it.each(['', '5', 's', '5 s', '-5s', '5sec', '1d', '1h ', 'abc', '1.2.3s', '99999999999999999h'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(durationSchema.safeParse(text).success).toBe(false);
  });

  it('converts to milliseconds and spots zero', () => {
    expect(durationMillis('1m30s')).toBe(90_000);
    expect(durationMillis('250us')).toBe(0.25);
    expect(durationMillis('x')).toBeUndefined();
    expect(isZeroDuration('0s')).toBe(true);
    expect(isZeroDuration('0.000s')).toBe(true);
    expect(isZeroDuration('1ns')).toBe(false);
  });

  it('explains what a valid duration looks like', () => {
    const r = durationSchema.safeParse('5 seconds');
    expect(r.success ? '' : r.error.issues[0]?.message).toBe('must be a valid duration, e.g. "5s", "250ms", "1m30s"');
  });
});
