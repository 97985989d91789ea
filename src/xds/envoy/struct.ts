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
