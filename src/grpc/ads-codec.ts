import type { AnyMessage, DeltaDiscoveryResponse, DeltaResource, DiscoveryResponse } from './discovery-messages.js';
import { varintSize, writeVarint } from './varint.js';

/**
 * Hand-written wire encoders for the two ADS response messages (DESIGN §3: per proxy per change the
 * server should do little more than write the bytes). protobufjs would copy every resource's already
 * encoded bytes through `Any.encode` for every stream; here the small framing of each resource (tags,
 * lengths, type_url, and for delta name/version) is computed once per shared resource bytes object and
 * cached, and a response is one `Buffer.concat` of a small header, the cached framings, the shared value
 * bytes and a small trailer; resources that many responses carry together can be framed once into one
 * chunk (`frameSotwResources`, `DiscoveryResponse.framed`). Requests keep protobufjs decoding.
 *
 * Output is byte-identical to protobufjs (`Type.encode(Type.fromObject(obj))`, as @grpc/proto-loader
 * serializes): fields in field-number order, and every string field that is set is written, even when
 * empty (fromObject makes it an own property). Field numbers from envoy/service/discovery/v3/discovery.proto:
 *   DiscoveryResponse: version_info=1, resources=2 (Any), canary=3 (unset), type_url=4, nonce=5, control_plane=6
 *   DeltaDiscoveryResponse: system_version_info=1, resources=2 (Resource), type_url=4, nonce=5,
 *     removed_resources=6, control_plane=7 (removed_resource_names=8 unset)
 *   Resource: version=1, resource=2 (Any), name=3 (aliases, ttl, cache_control, metadata unset)
 *   Any: type_url=1, value=2;  ControlPlane: identifier=1
 */

const WIRE_LEN = 2;

function tag(field: number): number {
  return (field << 3) | WIRE_LEN;
}

/** A small growable writer for headers and trailers (strings, tags, lengths). */
class Head {
  private readonly parts: (string | number)[] = [];
  private size = 0;

  varint(n: number): this {
    this.parts.push(n);
    this.size += varintSize(n);
    return this;
  }

  /** A length-delimited string field. */
  string(field: number, s: string): this {
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(tag(field)).varint(len);
    this.parts.push(s);
    this.size += len;
    return this;
  }

  /** A field's tag and length (the payload follows elsewhere). */
  delimited(field: number, len: number): this {
    return this.varint(tag(field)).varint(len);
  }

  get length(): number {
    return this.size;
  }

  finish(): Buffer {
    const buf = Buffer.allocUnsafe(this.size);
    let pos = 0;
    for (const p of this.parts) {
      if (typeof p === 'string') {
        pos += buf.write(p, pos, 'utf8');
      } else {
        pos = writeVarint(buf, pos, p);
      }
    }
    return buf;
  }
}

function stringFieldSize(field: number, s: string): number {
  const len = Buffer.byteLength(s, 'utf8');
  return varintSize(tag(field)) + varintSize(len) + len;
}

/** The encoded size of Any{type_url, value}. */
function anySize(typeUrl: string, valueLen: number): number {
  return stringFieldSize(1, typeUrl) + varintSize(tag(2)) + varintSize(valueLen) + valueLen;
}

/** Any{type_url, value}'s framing up to (excluding) the value bytes: `type_url` field, value tag and length. */
function anyPrefix(w: Head, typeUrl: string, valueLen: number): Head {
  return w.string(1, typeUrl).delimited(2, valueLen);
}

interface SotwFrame {
  readonly typeUrl: string;
  /** `resources` tag + length + Any's type_url field + value tag + length. */
  readonly prefix: Buffer;
}

interface DeltaFrame {
  readonly typeUrl: string;
  readonly name: string;
  readonly version: string;
  /** `resources` tag + length + Resource.version + Resource.resource tag + length + Any prefix. */
  readonly prefix: Buffer;
  /** Resource.name. */
  readonly suffix: Buffer;
}

// Module-level on purpose (issue 8 point 5 allows caches of pure immutable data): a frame is a pure function of
// its key, entries live only as long as their key, and a runtime can only look up bytes it holds itself.
// Keyed by the resource's value bytes: generators share one bytes object per distinct resource, so the
// framing is computed once per resource and dropped with it. The other keys are checked on every hit.
const sotwFrames = new WeakMap<Uint8Array, SotwFrame>();
const deltaFrames = new WeakMap<Uint8Array, DeltaFrame>();

function sotwFrame(any: AnyMessage): SotwFrame {
  const cached = sotwFrames.get(any.value);
  if (cached?.typeUrl === any.type_url) return cached;
  const len = any.value.length;
  const prefix = anyPrefix(new Head().delimited(2, anySize(any.type_url, len)), any.type_url, len).finish();
  const frame = { typeUrl: any.type_url, prefix };
  sotwFrames.set(any.value, frame);
  return frame;
}

function deltaFrame(r: DeltaResource): DeltaFrame {
  const value = r.resource.value;
  const cached = deltaFrames.get(value);
  if (cached?.typeUrl === r.resource.type_url && cached.name === r.name && cached.version === r.version) return cached;
  const len = value.length;
  const anyLen = anySize(r.resource.type_url, len);
  const bodyLen = stringFieldSize(1, r.version) + varintSize(tag(2)) + varintSize(anyLen) + anyLen + stringFieldSize(3, r.name);
  const prefix = anyPrefix(new Head().delimited(2, bodyLen).string(1, r.version).delimited(2, anyLen), r.resource.type_url, len).finish();
  const suffix = new Head().string(3, r.name).finish();
  const frame = { typeUrl: r.resource.type_url, name: r.name, version: r.version, prefix, suffix };
  deltaFrames.set(value, frame);
  return frame;
}

function controlPlane(w: Head, field: number, cp: { identifier: string } | undefined): void {
  if (cp) w.delimited(field, stringFieldSize(1, cp.identifier)).string(1, cp.identifier);
}

/**
 * The `resources` entries (field 2) of a DiscoveryResponse carrying `resources`, framed into one buffer:
 * what a group of resources shared by many proxies contributes to each of their responses, framed once and
 * passed as `DiscoveryResponse.framed` (a response is then a header, these chunks and a trailer).
 */
export function frameSotwResources(resources: readonly AnyMessage[]): Buffer {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const any of resources) {
    const frame = sotwFrame(any);
    parts.push(frame.prefix, any.value);
    total += frame.prefix.length + any.value.length;
  }
  return Buffer.concat(parts, total);
}

/** The pieces of an encoded DiscoveryResponse, in order, and their total length. */
function sotwParts(msg: DiscoveryResponse): { parts: Uint8Array[]; total: number } {
  const head = new Head();
  head.string(1, msg.version_info);
  const parts: Uint8Array[] = [head.finish()];
  let total = head.length;
  for (const chunk of msg.framed ?? []) {
    parts.push(chunk);
    total += chunk.length;
  }
  for (const any of msg.resources) {
    const frame = sotwFrame(any);
    parts.push(frame.prefix, any.value);
    total += frame.prefix.length + any.value.length;
  }
  const tail = new Head();
  tail.string(4, msg.type_url);
  tail.string(5, msg.nonce);
  controlPlane(tail, 6, msg.control_plane);
  parts.push(tail.finish());
  total += tail.length;
  return { parts, total };
}

export function encodeDiscoveryResponse(msg: DiscoveryResponse): Buffer {
  const { parts, total } = sotwParts(msg);
  return Buffer.concat(parts, total);
}

/**
 * `encodeDiscoveryResponse` into one buffer reused from response to response: the ADS server's serializer
 * only. grpc-js copies what the serializer returns into its own length-prefixed frame at once, before it
 * serializes anything else (server-interceptors `serializeMessage`: serialize, allocate, copy, all
 * synchronous), so the space is free again when the next response is encoded, and a 1 MB push costs one
 * allocation and copy (grpc-js's) instead of two. The returned bytes are overwritten by the next call.
 */
export function reusingDiscoveryResponseEncoder(): (msg: DiscoveryResponse) => Buffer {
  let scratch = Buffer.allocUnsafe(0);
  return (msg) => {
    const { parts, total } = sotwParts(msg);
    if (scratch.length < total) scratch = Buffer.allocUnsafe(total);
    let pos = 0;
    for (const p of parts) {
      scratch.set(p, pos);
      pos += p.length;
    }
    return scratch.subarray(0, total);
  };
}

export function encodeDeltaDiscoveryResponse(msg: DeltaDiscoveryResponse): Buffer {
  const head = new Head();
  head.string(1, msg.system_version_info);
  const parts: Uint8Array[] = [head.finish()];
  let total = head.length;
  for (const r of msg.resources) {
    const frame = deltaFrame(r);
    parts.push(frame.prefix, r.resource.value, frame.suffix);
    total += frame.prefix.length + r.resource.value.length + frame.suffix.length;
  }
  const tail = new Head();
  tail.string(4, msg.type_url);
  tail.string(5, msg.nonce);
  for (const name of msg.removed_resources) tail.string(6, name);
  controlPlane(tail, 7, msg.control_plane);
  parts.push(tail.finish());
  total += tail.length;
  return Buffer.concat(parts, total);
}
