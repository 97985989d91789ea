import protobuf from 'protobufjs';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { hashParts } from '../cache/versions.js';

/**
 * Bytes of names (as string and as encoded resource) the memo keeps: the names are peer-chosen, so the memo
 * is bounded by size, not count, and the least recently used entries go first.
 */
export const MAX_MEMO_BYTES = 1024 * 1024;
const memo = new Map<string, EncodedResource>();
let memoBytes = 0;

function cost(r: EncodedResource): number {
  return r.name.length + r.bytes.length + r.version.length;
}

/**
 * An empty ClusterLoadAssignment for a requested cluster the snapshot does not know: Envoy (and the
 * proxyless clients) otherwise keep the cluster warming until a timeout (envoyproxy/envoy#9934).
 */
export function emptyClusterLoadAssignment(clusterName: string): EncodedResource {
  const hit = memo.get(clusterName);
  if (hit) {
    memo.delete(clusterName);
    memo.set(clusterName, hit);
    return hit;
  }
  // ClusterLoadAssignment.cluster_name = 1 (string): the only field set.
  const bytes = protobuf.Writer.create().uint32((1 << 3) | 2).string(clusterName).finish();
  const r: EncodedResource = { typeUrl: TYPE_URLS.clusterLoadAssignment, name: clusterName, version: `empty-${hashParts([clusterName])}`, bytes };
  memo.set(clusterName, r);
  memoBytes += cost(r);
  for (const [name, old] of memo) {
    if (memoBytes <= MAX_MEMO_BYTES) break;
    memo.delete(name);
    memoBytes -= cost(old);
  }
  return r;
}

/** Bytes the memo holds now (tests). */
export function emptyClaMemoBytes(): number {
  return memoBytes;
}
