import protobuf from 'protobufjs';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { hashParts } from '../cache/versions.js';

/**
 * Bytes of names (as string and as encoded resource) the memo keeps: the names are peer-chosen, so the memo
 * is bounded by size, not count, and the least recently used entries go first.
 */
export const MAX_MEMO_BYTES = 1024 * 1024;

function cost(r: EncodedResource): number {
  return r.name.length + r.bytes.length + r.version.length;
}

/**
 * Empty ClusterLoadAssignments for requested clusters the snapshot does not know: Envoy (and the proxyless
 * clients) otherwise keep the cluster warming until a timeout (envoyproxy/envoy#9934). One memo per dp-server,
 * shared by its streams, so proxies asking for the same unknown cluster share one encoded resource.
 */
export class EmptyClaMemo {
  private readonly memo = new Map<string, EncodedResource>();
  private memoBytes = 0;

  get(clusterName: string): EncodedResource {
    const hit = this.memo.get(clusterName);
    if (hit) {
      this.memo.delete(clusterName);
      this.memo.set(clusterName, hit);
      return hit;
    }
    // ClusterLoadAssignment.cluster_name = 1 (string): the only field set.
    const bytes = protobuf.Writer.create().uint32((1 << 3) | 2).string(clusterName).finish();
    const r: EncodedResource = { typeUrl: TYPE_URLS.clusterLoadAssignment, name: clusterName, version: `empty-${hashParts([clusterName])}`, bytes };
    this.memo.set(clusterName, r);
    this.memoBytes += cost(r);
    for (const [name, old] of this.memo) {
      if (this.memoBytes <= MAX_MEMO_BYTES) break;
      this.memo.delete(name);
      this.memoBytes -= cost(old);
    }
    return r;
  }

  /** Bytes the memo holds now. */
  get bytes(): number {
    return this.memoBytes;
  }
}
