import protobuf from 'protobufjs';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { hashParts } from '../cache/versions.js';

const MAX_MEMO = 10_000;
const memo = new Map<string, EncodedResource>();

/**
 * An empty ClusterLoadAssignment for a requested cluster the snapshot does not know: Envoy (and the
 * proxyless clients) otherwise keep the cluster warming until a timeout (envoyproxy/envoy#9934).
 */
export function emptyClusterLoadAssignment(clusterName: string): EncodedResource {
  let r = memo.get(clusterName);
  if (!r) {
    // ClusterLoadAssignment.cluster_name = 1 (string): the only field set.
    const bytes = protobuf.Writer.create().uint32((1 << 3) | 2).string(clusterName).finish();
    r = { typeUrl: TYPE_URLS.clusterLoadAssignment, name: clusterName, version: `empty-${hashParts([clusterName])}`, bytes };
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(clusterName, r);
  }
  return r;
}
