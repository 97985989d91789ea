import type { EnvoyObject } from './encode.js';

/** A google.protobuf.Struct of string values, in the field form protobufjs encodes. */
export function stringStruct(values: Readonly<Record<string, string>>): EnvoyObject {
  const fields: Record<string, EnvoyObject> = {};
  for (const key of Object.keys(values).sort()) fields[key] = { stringValue: values[key] };
  return { fields };
}

/** Metadata whose `envoy.lb` filter metadata carries `tags` (endpoint subsets and route metadata_match). */
export function lbMetadata(tags: Readonly<Record<string, string>>): EnvoyObject {
  return { filter_metadata: { 'envoy.lb': stringStruct(tags) } };
}

/** `envoy.lb` and `envoy.transport_socket_match` metadata, both carrying `tags` (Kuma's mesh endpoints with mTLS). */
export function lbAndSocketMatchMetadata(tags: Readonly<Record<string, string>>): EnvoyObject {
  const struct = stringStruct(tags);
  return { filter_metadata: { 'envoy.lb': struct, 'envoy.transport_socket_match': struct } };
}

/** Any JSON-like value as a google.protobuf.Struct (node metadata). */
export function toStruct(value: Readonly<Record<string, unknown>>): EnvoyObject {
  const fields: Record<string, EnvoyObject> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) fields[k] = toValue(v);
  return { fields };
}

function toValue(v: unknown): EnvoyObject {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  if (typeof v === 'object') return { structValue: toStruct(v as Record<string, unknown>) };
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects returned above: v is undefined, a bigint, a symbol or a function here
  return { stringValue: String(v) };
}
