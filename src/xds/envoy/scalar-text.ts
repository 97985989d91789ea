import type protobuf from 'protobufjs';

/** protobufjs decodes 64-bit integers as long.js instances, whose toString() gives the decimal value. */
const isLong = (v: object): v is protobuf.Long & { toString(): string } => 'low' in v && 'high' in v && 'unsigned' in v;

/**
 * A scalar of a decoded message or a PGV rule (string, number, boolean, or a 64-bit integer as protobufjs'
 * Long) as text; absent is ''. Lists join with commas; any other object is written as JSON.
 */
export function scalarText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(scalarText).join(',');
  if (typeof v === 'object' && isLong(v)) return v.toString();
  return JSON.stringify(v) ?? '';
}
