import { varintSize } from '../grpc/varint.js';
import type { WireKey } from './kds-proto.js';
import type { ExportedResource } from './wire-resource.js';

/** Room kept for the message envelope: KdsMessage/Update tags, type name, nonce. */
export const ENVELOPE_BYTES = 1024;


/** Bytes a resource adds to an Update: field tag + length prefix + the resource itself. */
export function resourceCost(size: number): number {
  return 1 + varintSize(size) + size;
}

export function removalCost(key: WireKey): number {
  const name = Buffer.byteLength(key.name);
  const mesh = Buffer.byteLength(key.mesh);
  const inner = 1 + varintSize(name) + name + (mesh > 0 ? 1 + varintSize(mesh) + mesh : 0);
  return 1 + varintSize(inner) + inner;
}

export interface Chunk {
  readonly resources: ExportedResource[];
  readonly removed: WireKey[];
}

/**
 * The first message's worth of a type's pending changes, under `maxBytes` encoded. Callers must first drop
 * resources that cannot fit alone (`fitsAlone`). Returns an empty chunk only if there is nothing pending.
 */
export function firstChunk(upserts: readonly ExportedResource[], removals: readonly WireKey[], maxBytes: number): Chunk {
  const budget = maxBytes - ENVELOPE_BYTES;
  let used = 0;
  const resources: ExportedResource[] = [];
  const removed: WireKey[] = [];
  for (const k of removals) {
    const cost = removalCost(k);
    if (used + cost > budget && (removed.length > 0 || resources.length > 0)) return { resources, removed };
    removed.push(k);
    used += cost;
  }
  for (const r of upserts) {
    const cost = resourceCost(r.size);
    if (used + cost > budget && (removed.length > 0 || resources.length > 0)) return { resources, removed };
    resources.push(r);
    used += cost;
  }
  return { resources, removed };
}

export function fitsAlone(r: ExportedResource, maxBytes: number): boolean {
  return resourceCost(r.size) <= maxBytes - ENVELOPE_BYTES;
}
