import type { Struct, StructValue } from './discovery-service.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** google.protobuf.Struct (as proto-loader decodes it) -> plain JSON. */
export function structToJson(struct: Struct | null | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = valueToJson(value);
  return out;
}

function valueToJson(value: StructValue): JsonValue {
  switch (value.kind) {
    case 'string_value':
      return value.string_value ?? '';
    case 'number_value':
      return value.number_value ?? 0;
    case 'bool_value':
      return value.bool_value ?? false;
    case 'struct_value':
      return structToJson(value.struct_value);
    case 'list_value':
      return (value.list_value?.values ?? []).map(valueToJson);
    default:
      return null;
  }
}

/** Plain JSON -> google.protobuf.Struct in the proto-loader object form (clients and tests). */
export function jsonToStruct(json: Record<string, JsonValue>): Struct {
  const fields: Record<string, StructValue> = {};
  for (const [key, value] of Object.entries(json)) fields[key] = jsonToValue(value);
  return { fields };
}

function jsonToValue(value: JsonValue): StructValue {
  if (value === null) return { null_value: 'NULL_VALUE' };
  if (typeof value === 'string') return { string_value: value };
  if (typeof value === 'number') return { number_value: value };
  if (typeof value === 'boolean') return { bool_value: value };
  if (Array.isArray(value)) return { list_value: { values: value.map(jsonToValue) } };
  return { struct_value: jsonToStruct(value) };
}
