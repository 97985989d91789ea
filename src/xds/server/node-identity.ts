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
  /** The node's `user_agent_name` and `user_agent_version` (clipped): which proxyless client implementation this is. */
  readonly userAgent?: { readonly name: string; readonly version: string };
  /** Envoy's admin API port (node metadata `dataplane.admin.port`, from the bootstrap): the metrics listener forwards there. */
  readonly adminPort?: number;
}

export interface NodeInfo extends ProxyIdentity {
  /** node.metadata as JSON (`dataplane.resource`, `version`, ...). */
  readonly metadata: Record<string, JsonValue>;
  /** Values of the stream's `authorization` gRPC metadata (Envoy sends the data-plane token there). */
  readonly authorization: readonly string[];
}

/** User agent name and version are kept (and logged) up to this length. */
const MAX_USER_AGENT_LENGTH = 128;

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

/** Node metadata that states the kind when the user agent does not (e.g. a custom xDS client). */
export const PROXY_KIND_METADATA = 'kuma.io/proxy-kind';
const KINDS: readonly ProxyKind[] = ['envoy', 'proxyless'];

/** Validates the node of the first request of a stream and tells its kind (see proxyKind). */
export function nodeInfo(node: Node | null | undefined, callMetadata?: { get(key: string): (string | Buffer)[] }): NodeInfo {
  if (!node?.id) throw new BadRequestError('node with a non-empty id is required in the first request of a stream', [{ field: 'node', message: 'is required' }]);
  const { mesh, name } = parseNodeId(node.id);
  const metadata = structToJson(node.metadata);
  const authorization = (callMetadata?.get('authorization') ?? []).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
  const userAgent = { name: clip(node.user_agent_name ?? '', MAX_USER_AGENT_LENGTH), version: clip(node.user_agent_version ?? '', MAX_USER_AGENT_LENGTH) };
  const adminPort = portOf(metadata[ADMIN_PORT_METADATA]);
  return {
    key: node.id,
    mesh,
    name,
    kind: proxyKind(node.id, node.user_agent_name ?? '', metadata[PROXY_KIND_METADATA]),
    userAgent,
    metadata,
    authorization,
    ...(adminPort !== undefined ? { adminPort } : {}),
  };
}

/** Set by the Envoy bootstrap (a string, as every node metadata value Kuma writes). */
export const ADMIN_PORT_METADATA = 'dataplane.admin.port';

/** A port 1-65535 given as a number or a decimal string; anything else is not a port. */
function portOf(value: JsonValue | undefined): number | undefined {
  const n = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/**
 * Envoy says `user_agent_name: envoy`; gRPC's xDS clients say `gRPC <implementation>` (grpc-js-xds
 * `gRPC Node Pure JS`, C-core `gRPC C-core <platform> <wrapper>`); node metadata `kuma.io/proxy-kind`
 * (`envoy` | `proxyless`) may state it, and must then agree with the user agent. Anything else is refused:
 * the wrong kind of configuration would be NACKed or, worse, silently misapplied.
 */
function proxyKind(id: string, userAgent: string, declared: JsonValue | undefined): ProxyKind {
  const fromAgent: ProxyKind | undefined = userAgent === 'envoy' ? 'envoy' : userAgent.startsWith('gRPC ') ? 'proxyless' : undefined;
  if (declared !== undefined) {
    const kind = KINDS.find((k) => k === declared);
    if (!kind) {
      throw new BadRequestError(`node "${id}": metadata ${PROXY_KIND_METADATA} ${JSON.stringify(declared)} is invalid`, [
        { field: `node.metadata.${PROXY_KIND_METADATA}`, message: `must be one of ${KINDS.join(', ')}` },
      ]);
    }
    if (fromAgent && fromAgent !== kind) {
      throw new BadRequestError(`node "${id}": metadata ${PROXY_KIND_METADATA} "${kind}" contradicts user_agent_name "${userAgent}"`, [
        { field: `node.metadata.${PROXY_KIND_METADATA}`, message: `user_agent_name "${userAgent}" is a ${fromAgent} client` },
      ]);
    }
    return kind;
  }
  if (fromAgent) return fromAgent;
  throw new BadRequestError(
    `node "${id}": cannot tell the kind of data plane: user_agent_name "${userAgent}" is neither "envoy" nor a gRPC client ("gRPC ..."); set node metadata ${PROXY_KIND_METADATA} to envoy or proxyless`,
    [{ field: 'node.user_agent_name', message: 'must be "envoy" or start with "gRPC "' }],
  );
}
