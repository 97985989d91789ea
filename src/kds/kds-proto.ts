import { join } from 'node:path';
import type { ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { projectProtoDir } from '../grpc/proto-path.js';

/** TypeScript view of the messages declared in proto/kds.proto (decoded with defaults filled in). */
export interface WireKey {
  name: string;
  mesh: string;
}
export interface WireVersion extends WireKey {
  version: string;
}
export interface WireMeta extends WireVersion {
  labels: Record<string, string>;
  creationTime: string;
  modificationTime: string;
}
export interface WireResource {
  meta: WireMeta;
  /** JSON of the spec, REST shape. */
  spec: string;
}
export interface SubscribeMsg {
  type: string;
  initial: WireVersion[];
  more: boolean;
}
export interface UpdateMsg {
  type: string;
  nonce: string;
  resources: WireResource[];
  removed: WireKey[];
}
export interface AckMsg {
  type: string;
  nonce: string;
  error?: { message: string };
}
export type KdsMessage = { subscribe: SubscribeMsg } | { update: UpdateMsg } | { ack: AckMsg };
/** Bytes from the peer that are not a KdsMessage: the session ends the stream naming the problem. */
export interface MalformedMsg {
  malformed: string;
}
export type ReceivedMessage = KdsMessage | MalformedMsg;

export const KDS_SYNC_PATH = '/kuma.kds.v1.KdsService/Sync';
/** gRPC metadata key carrying the zone name (as in Kuma). */
export const CLIENT_ID_METADATA = 'client-id';
export const CP_VERSION_METADATA = 'kuma-cp-version';
/**
 * The largest message a side accepts (its `maxMsgSize`): the zone sends it in its request metadata, the global
 * in its response headers, and each side sends messages no larger than the smaller of the two limits.
 */
export const MAX_MSG_SIZE_METADATA = 'kds-max-msg-size';
/** Smallest peer limit taken into account; a smaller advertised value is ignored as nonsense. */
const MIN_PEER_MAX_MSG_SIZE = 4096;

/** The limit to send with: ours, or the peer's advertised one when it is smaller. */
export function effectiveMaxMsgSize(own: number, advertised: string | Buffer | undefined): number {
  const peer = Number(typeof advertised === 'string' ? advertised : advertised?.toString('utf8'));
  return Number.isSafeInteger(peer) && peer >= MIN_PEER_MAX_MSG_SIZE ? Math.min(own, peer) : own;
}

// Module-level on purpose: decoded protobuf type descriptors, the same for every control plane in the process.
let cached: { message: protobuf.Type; resource: protobuf.Type } | undefined;

function types(): { message: protobuf.Type; resource: protobuf.Type } {
  if (!cached) {
    const root = protobuf.loadSync(join(projectProtoDir(import.meta.url, 'kds.proto'), 'kds.proto'));
    cached = { message: root.lookupType('kuma.kds.v1.KdsMessage'), resource: root.lookupType('kuma.kds.v1.Resource') };
  }
  return cached;
}

export function encodeMessage(msg: KdsMessage): Buffer {
  const t = types().message;
  return Buffer.from(t.encode(t.fromObject(msg)).finish());
}

const TO_OBJECT: Readonly<protobuf.IConversionOptions> = { defaults: true, arrays: true, objects: true, longs: String };

/** Throws on bytes that are not a KdsMessage; an empty message (no kind set) is rejected too. */
export function decodeMessage(bytes: Uint8Array): KdsMessage {
  const t = types().message;
  const obj = t.toObject(t.decode(bytes), TO_OBJECT);
  if (obj['subscribe'] !== undefined) return { subscribe: obj['subscribe'] as SubscribeMsg };
  if (obj['update'] !== undefined) return { update: obj['update'] as UpdateMsg };
  if (obj['ack'] !== undefined) {
    const ack = obj['ack'] as AckMsg & { error?: { message: string } | null };
    return { ack: ack.error ? ack : { type: ack.type, nonce: ack.nonce } };
  }
  throw new Error('KDS message without subscribe, update or ack');
}

/**
 * The deserializer of both ends: never throws, so a malformed message reaches the session, which ends the
 * stream with INVALID_ARGUMENT and a clear message (a throwing deserializer leaves grpc-js waiting on trailers).
 */
export function decodeReceived(bytes: Uint8Array): ReceivedMessage {
  try {
    return decodeMessage(bytes);
  } catch (err) {
    return { malformed: err instanceof Error ? err.message : String(err) };
  }
}

/** Exact encoded size of one Resource (used to split updates below the message size limit). */
export function encodedResourceSize(r: WireResource): number {
  const t = types().resource;
  return t.encode(t.fromObject(r)).finish().length;
}

export const kdsServiceDefinition: Readonly<ServiceDefinition<{ sync: import('@grpc/grpc-js').handleBidiStreamingCall<ReceivedMessage, KdsMessage> }>> = {
  sync: {
    path: KDS_SYNC_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: encodeMessage,
    requestDeserialize: decodeReceived,
    responseSerialize: encodeMessage,
    responseDeserialize: decodeReceived,
    originalName: 'Sync',
  },
};
