import protobuf from 'protobufjs';
import { envoyType } from './protos.js';
import { scalarText } from './scalar-text.js';
import { ANY, DURATION, STRUCT, VALUE, WRAPPERS } from './well-known-types.js';

type Msg = Record<string, unknown>;

/**
 * Decodes `bytes` as `typeName` into the proto3 JSON form Envoy reads in YAML/JSON (snake_case names,
 * Any expanded with `@type`, durations as "5s", wrappers and Structs unwrapped, enums by name, default
 * scalars left out). Used for the bootstrap YAML and for readable golden files.
 */
export function toEnvoyJson(typeName: string, bytes: Uint8Array): Msg {
  const type = envoyType(typeName);
  return plainMessage(type, type.decode(bytes) as unknown as Msg);
}

function present(m: Msg, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, field) && m[field] !== null && m[field] !== undefined;
}

function plainMessage(type: protobuf.Type, m: Msg): Msg {
  const out: Msg = {};
  for (const field of type.fieldsArray) {
    const v = m[field.name];
    if (field.map) {
      const entries = Object.entries((v ?? {}) as Msg);
      if (entries.length) out[field.name] = Object.fromEntries(entries.map(([k, x]) => [k, plainValue(field, x)]));
    } else if (field.repeated) {
      const items = (v ?? []) as unknown[];
      if (items.length) out[field.name] = items.map((x) => plainValue(field, x));
    } else if (field.resolvedType instanceof protobuf.Type || field.partOf) {
      if (present(m, field.name)) out[field.name] = plainValue(field, v);
    } else if (v !== undefined && v !== null && v !== 0 && v !== '' && v !== false && !isEmptyBytes(v)) {
      out[field.name] = plainValue(field, v);
    }
  }
  return out;
}

/** protobufjs decodes an absent `bytes` field as its default: an empty Buffer, or `[]` (the prototype's default). */
function isEmptyBytes(v: unknown): boolean {
  return (v instanceof Uint8Array || Array.isArray(v)) && v.length === 0;
}

function plainValue(field: protobuf.Field, v: unknown): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Enum) return t.valuesById[Number(v)] ?? Number(v);
  if (!(t instanceof protobuf.Type)) {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    // 64-bit integers decode as Long objects
    return typeof v === 'object' && v !== null ? Number(scalarText(v)) : v;
  }
  return plainTyped(t, v as Msg);
}

function plainTyped(t: protobuf.Type, m: Msg): unknown {
  if (t.fullName === ANY) {
    const url = String(m['type_url']);
    const inner = envoyType(url);
    return { '@type': url, ...plainMessage(inner, inner.decode(m['value'] as Uint8Array) as unknown as Msg) };
  }
  if (t.fullName === DURATION) return `${(Number(scalarText(m['seconds'] ?? 0)) * 1e9 + Number(m['nanos'] ?? 0)) / 1e9}s`;
  if (WRAPPERS.has(t.fullName)) {
    const f = t.fields['value'];
    return plainMessage(t, m)['value'] ?? (f?.type === 'bool' ? false : f?.type === 'string' ? '' : 0);
  }
  if (t.fullName === STRUCT) return plainStruct(m);
  if (t.fullName === VALUE) return plainStructValue(m);
  return plainMessage(t, m);
}

function plainStruct(m: Msg): Msg {
  const fields = (m['fields'] ?? {}) as Record<string, Msg>;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, plainStructValue(v)]));
}

function plainStructValue(v: Msg): unknown {
  if (present(v, 'stringValue')) return v['stringValue'];
  if (present(v, 'numberValue')) return v['numberValue'];
  if (present(v, 'boolValue')) return v['boolValue'];
  if (present(v, 'structValue')) return plainStruct(v['structValue'] as Msg);
  if (present(v, 'listValue')) return (((v['listValue'] as Msg)['values'] ?? []) as Msg[]).map(plainStructValue);
  return null;
}
