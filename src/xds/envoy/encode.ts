import { createHash } from 'node:crypto';
import type protobuf from 'protobufjs';
import type { EncodedResource, TypeUrl } from '../resource.js';
import { envoyType } from './protos.js';
import { ANY } from './well-known-types.js';

/** A plain object in protobuf JSON-ish form (snake_case keys, enums by name, nested Any already encoded). */
export type EnvoyObject = { readonly [key: string]: unknown };

/** An encoded google.protobuf.Any, as protobufjs's `fromObject` accepts it. */
export interface AnyValue {
  readonly type_url: string;
  readonly value: Uint8Array;
}

const TYPE_PREFIX = 'type.googleapis.com/';

/** Encodes `value` as message `typeName` and wraps it in an Any (for typed_config and api_listener). */
export function anyOf(typeName: string, value: EnvoyObject): AnyValue {
  return { type_url: TYPE_PREFIX + typeName, value: encodeMessage(envoyType(typeName), value) };
}

/** Encodes one top-level xDS resource once and versions it by content hash. */
export function encodeResource(typeUrl: TypeUrl, name: string, value: EnvoyObject): EncodedResource {
  const bytes = encodeMessage(envoyType(typeUrl), value);
  return { typeUrl, name, version: contentVersion(bytes), bytes };
}

/** sha256 of the bytes, base64url, first 16 characters (96 bits): stable across restarts. */
export function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
}

/** Encodes any Envoy message by full type name (the bootstrap), refusing unknown fields. */
export function encodeEnvoyMessage(typeName: string, value: EnvoyObject): Uint8Array {
  return encodeMessage(envoyType(typeName), value);
}

function encodeMessage(type: protobuf.Type, value: EnvoyObject): Uint8Array {
  assertKnownFields(type, value, type.name);
  return type.encode(type.fromObject(value)).finish();
}

/**
 * `fromObject` silently drops keys it does not know; a typo in a builder would then vanish from the
 * config. Refuse unknown keys instead (the check runs once per distinct encoded resource).
 */
function assertKnownFields(type: protobuf.Type, value: EnvoyObject, path: string): void {
  if (type.fullName === ANY) return;
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = type.fields[key];
    if (!field) throw new Error(`unknown field ${path}.${key} for ${type.fullName.slice(1)}`);
    const nested = field.resolvedType;
    if (!nested || !('fields' in nested) || fieldValue === null || fieldValue === undefined) continue;
    const nestedType = nested;
    if (field.map) {
      for (const [k, v] of Object.entries(fieldValue as EnvoyObject)) assertKnownFields(nestedType, v as EnvoyObject, `${path}.${key}[${k}]`);
    } else if (field.repeated) {
      (fieldValue as EnvoyObject[]).forEach((v, i) => assertKnownFields(nestedType, v, `${path}.${key}[${i}]`));
    } else {
      assertKnownFields(nestedType, fieldValue as EnvoyObject, `${path}.${key}`);
    }
  }
}
