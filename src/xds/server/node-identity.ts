import { BadRequestError } from '../../core/errors.js';
import { clip } from '../../core/clip.js';
import type { Node } from '../../grpc/discovery-service.js';
import { structToJson, type JsonValue } from '../../grpc/struct.js';

export type ProxyKind = 'envoy' | 'proxyless';

/** Who is on the other end of an ADS stream. `key` is the node id `<mesh>.<name>`. */
export interface ProxyIdentity {
  readonly key: string;
  readonly mesh: string;
  readonly name: string;
  readonly kind: ProxyKind;
}

export interface NodeInfo extends ProxyIdentity {
  /** node.metadata as JSON (`dataplane.resource`, `version`, ...). */
  readonly metadata: Record<string, JsonValue>;
  /** Values of the stream's `authorization` gRPC metadata (Envoy sends the data-plane token there). */
  readonly authorization: readonly string[];
}

/** Longest accepted node id: a mesh name, a dot and a resource name (each DNS-label-like in Kuma). */
const MAX_NODE_ID_LENGTH = 512;

/** Node id `<mesh>.<name>`, split at the first dot; a zone ingress (no mesh) is `.<name>`, as in Kuma. */
export function parseNodeId(id: string): { mesh: string; name: string } {
  if (id.length > MAX_NODE_ID_LENGTH) {
    throw new BadRequestError(`node id of ${id.length} bytes is longer than ${MAX_NODE_ID_LENGTH}: "${clip(id, 64)}"`, [{ field: 'node.id', message: `must be at most ${MAX_NODE_ID_LENGTH} bytes` }]);
  }
  const dot = id.indexOf('.');
  if (dot < 0 || dot === id.length - 1) {
    throw new BadRequestError(`node id "${clip(id, 64)}" is invalid: expected <mesh>.<name>`, [{ field: 'node.id', message: 'must be <mesh>.<name>' }]);
  }
  return { mesh: id.slice(0, dot), name: id.slice(dot + 1) };
}

/** Validates the node of the first request of a stream. Envoy says `user_agent_name: envoy`; anything else is proxyless. */
export function nodeInfo(node: Node | null | undefined, callMetadata?: { get(key: string): (string | Buffer)[] }): NodeInfo {
  if (!node?.id) throw new BadRequestError('node with a non-empty id is required in the first request of a stream', [{ field: 'node', message: 'is required' }]);
  const { mesh, name } = parseNodeId(node.id);
  const authorization = (callMetadata?.get('authorization') ?? []).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  return { key: node.id, mesh, name, kind: node.user_agent_name === 'envoy' ? 'envoy' : 'proxyless', metadata: structToJson(node.metadata), authorization };
}
