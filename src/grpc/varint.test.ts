import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { readVarint, varintSize, writeVarint } from './varint.js';

const samples = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 21, 2 ** 28 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 35];

describe('varint', () => {
  it('writes what protobufjs writes, sizes it, and reads it back', () => {
    for (const n of samples) {
      const expected = protobuf.Writer.create().uint64(n).finish();
      const buf = new Uint8Array(10);
      const end = writeVarint(buf, 0, n);
      expect([...buf.subarray(0, end)], String(n)).toEqual([...expected]);
      expect(varintSize(n), String(n)).toBe(expected.length);
      expect(readVarint(buf, 0), String(n)).toEqual([n, end]);
    }
  });

  it('refuses a truncated varint', () => {
    expect(() => readVarint(Uint8Array.of(0x80, 0x80), 0)).toThrow(/truncated/);
  });
});
