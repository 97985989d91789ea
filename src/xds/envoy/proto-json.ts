import protobuf from 'protobufjs';
import { anyOf, type EnvoyObject } from './encode.js';
import { envoyType } from './protos.js';
import { ANY, DURATION, TIMESTAMP, STRUCT, VALUE, LIST_VALUE, FIELD_MASK, WRAPPERS } from './well-known-types.js';

type Json = Record<string, unknown>;

/** Envoy JSON/YAML that does not decode as the message it should be (the path says where). */
export class ProtoJsonError extends Error {}

/** Well-known types whose JSON form is not an object of fields: inside an Any they sit under `value`. */
const SPECIAL_JSON: ReadonlySet<string> = new Set([DURATION, TIMESTAMP, STRUCT, VALUE, LIST_VALUE, FIELD_MASK, ...WRAPPERS]);
const INT32: ReadonlySet<string> = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32: ReadonlySet<string> = new Set(['uint32', 'fixed32']);
const INT64: ReadonlySet<string> = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);

/**
 * Envoy's JSON form of a message (what users write in YAML: lowerCamelCase or snake_case names, Any with
 * `@type`, durations as "5s", wrappers and Structs as plain values, enums by name) as the object the encoder
 * takes (field names as in the protos, nested Any already encoded). Strict as protojson: an unknown field,
 * an unknown `@type`, a value of the wrong kind or two members of one oneof throw a ProtoJsonError.
 */
export function fromEnvoyJson(typeName: string, json: unknown): EnvoyObject {
  return message(envoyType(typeName), json, typeName.slice(typeName.lastIndexOf('.') + 1));
}

function fail(path: string, what: string): never {
  throw new ProtoJsonError(`${path}: ${what}`);
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function fieldOf(type: protobuf.Type, key: string): protobuf.Field | undefined {
  return type.fields[key] ?? type.fieldsArray.find((f) => camel(f.name) === key || f.options?.['json_name'] === key);
}

function message(type: protobuf.Type, json: unknown, path: string): EnvoyObject {
  if (type.fullName === ANY || SPECIAL_JSON.has(type.fullName)) return wellKnown(type, json, path);
  if (!isObject(json)) fail(path, `must be an object (${type.fullName.slice(1)})`);
  const out: Record<string, unknown> = {};
  const oneofs = new Map<string, string>();
  for (const [key, value] of Object.entries(json)) {
    const field = fieldOf(type, key);
    const p = `${path}.${key}`;
    if (!field) fail(p, `unknown field "${key}" of ${type.fullName.slice(1)}`);
    if (value === null) continue;
    if (field.partOf) {
      const other = oneofs.get(field.partOf.name);
      if (other !== undefined) fail(p, `oneof ${field.partOf.name} already has ${other}`);
      oneofs.set(field.partOf.name, key);
    }
    field.resolve();
    if (field.map) {
      if (!isObject(value)) fail(p, 'must be an object (map)');
      out[field.name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, single(field, v, `${p}[${k}]`)]));
    } else if (field.repeated) {
      if (!Array.isArray(value)) fail(p, 'must be a list');
      out[field.name] = value.map((v, i) => single(field, v, `${p}[${i}]`));
    } else {
      out[field.name] = single(field, value, p);
    }
  }
  return out;
}

function single(field: protobuf.Field, value: unknown, path: string): unknown {
  const t = field.resolvedType;
  if (t instanceof protobuf.Type) return message(t, value, path);
  if (t instanceof protobuf.Enum) return enumValue(t, value, path);
  return scalar(field.type, value, path);
}

function enumValue(e: protobuf.Enum, value: unknown, path: string): number {
  if (typeof value === 'string') {
    const n = e.values[value];
    if (n === undefined) fail(path, `"${value}" is not a value of ${e.name} (${Object.keys(e.values).join(', ')})`);
    return n;
  }
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return fail(path, `must be a name of ${e.name}`);
}

function scalar(kind: string, value: unknown, path: string): unknown {
  if (kind === 'string') return typeof value === 'string' ? value : fail(path, 'must be a string');
  if (kind === 'bool') return typeof value === 'boolean' ? value : fail(path, 'must be true or false');
  if (kind === 'bytes') {
    if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) fail(path, 'must be base64');
    return Buffer.from(value, 'base64');
  }
  if (kind === 'double' || kind === 'float') {
    if (typeof value === 'number') return value;
    if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
    return fail(path, 'must be a number');
  }
  const text = typeof value === 'number' || typeof value === 'string' ? String(value) : '';
  if (!/^-?\d+$/.test(text)) fail(path, 'must be an integer');
  if (INT64.has(kind)) {
    if (kind.startsWith('u') || kind === 'fixed64' ? BigInt(text) < 0n || BigInt(text) > 2n ** 64n - 1n : BigInt(text) < -(2n ** 63n) || BigInt(text) > 2n ** 63n - 1n) fail(path, `${text} is out of range`);
    return text;
  }
  const n = Number(text);
  if (INT32.has(kind) && (n < -(2 ** 31) || n > 2 ** 31 - 1)) fail(path, `${text} is out of range`);
  if (UINT32.has(kind) && (n < 0 || n > 2 ** 32 - 1)) fail(path, `${text} is out of range`);
  return n;
}

/** Sets the field of well-known type `t` whose name (or JSON name) is `name`. */
function field(t: protobuf.Type, name: string): string {
  const f = fieldOf(t, name) ?? fieldOf(t, camel(name));
  if (!f) throw new Error(`${t.fullName} has no field ${name}`);
  return f.name;
}

function wellKnown(t: protobuf.Type, json: unknown, path: string): EnvoyObject {
  switch (t.fullName) {
    case ANY:
      return anyValue(json, path);
    case DURATION:
    case TIMESTAMP:
      return t.fullName === DURATION ? durationValue(json, path) : timestampValue(json, path);
    case STRUCT:
      if (!isObject(json)) fail(path, 'must be an object (Struct)');
      return { [field(t, 'fields')]: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, structValue(v)])) };
    case VALUE:
      return structValue(json);
    case LIST_VALUE:
      if (!Array.isArray(json)) fail(path, 'must be a list');
      return { [field(t, 'values')]: json.map(structValue) };
    case FIELD_MASK:
      if (typeof json !== 'string') fail(path, 'must be a string (FieldMask)');
      return { [field(t, 'paths')]: json === '' ? [] : json.split(',').map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) };
    default: {
      const inner = t.fields['value'];
      if (!inner) throw new Error(`${t.fullName} has no value field`);
      return { value: scalar(inner.type, json, path) };
    }
  }
}

function anyValue(json: unknown, path: string): EnvoyObject {
  if (!isObject(json)) fail(path, 'must be an object with "@type"');
  const url = json['@type'];
  if (typeof url !== 'string' || !url.includes('/')) fail(path, '"@type" is missing or not a type URL');
  let inner: protobuf.Type;
  try {
    inner = envoyType(url);
  } catch {
    return fail(path, `unknown type "${url}"`);
  }
  const { '@type': _type, ...rest } = json;
  const innerPath = `${path}<${inner.name}>`;
  const value = SPECIAL_JSON.has(inner.fullName) ? wellKnown(inner, rest['value'], `${innerPath}.value`) : message(inner, rest, innerPath);
  return anyOf(inner.fullName.slice(1), value) as unknown as EnvoyObject;
}

function durationValue(json: unknown, path: string): EnvoyObject {
  const m = typeof json === 'string' ? /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(json) : null;
  if (!m) return fail(path, 'must be a duration such as "5s" or "0.250s"');
  const sign = m[1] ? -1 : 1;
  return { seconds: String(sign * Number(m[2])), nanos: sign * Number((m[3] ?? '').padEnd(9, '0')) };
}

function timestampValue(json: unknown, path: string): EnvoyObject {
  const ms = typeof json === 'string' ? Date.parse(json) : NaN;
  if (Number.isNaN(ms)) return fail(path, 'must be an RFC 3339 timestamp');
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1e6 };
}

function structValue(v: unknown): EnvoyObject {
  const t = envoyType('google.protobuf.Value');
  if (v === null || v === undefined) return { [field(t, 'null_value')]: 0 };
  if (typeof v === 'number') return { [field(t, 'number_value')]: v };
  if (typeof v === 'string') return { [field(t, 'string_value')]: v };
  if (typeof v === 'boolean') return { [field(t, 'bool_value')]: v };
  const list = envoyType('google.protobuf.ListValue');
  if (Array.isArray(v)) return { [field(t, 'list_value')]: { [field(list, 'values')]: v.map(structValue) } };
  const struct = envoyType('google.protobuf.Struct');
  return { [field(t, 'struct_value')]: { [field(struct, 'fields')]: Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, structValue(x)])) } };
}
