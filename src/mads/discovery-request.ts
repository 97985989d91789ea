import { BadRequestError } from '../core/errors.js';
import { clip } from '../core/clip.js';
import { MADS_TYPE_URL } from './mads-proto.js';

/** What a MADS fetch or stream request says that matters: the version the client holds. */
export interface MadsRequest {
  readonly versionInfo: string;
  /** The client's node id (Prometheus: its host name), for the log. */
  readonly nodeId: string;
}

function stringField(body: Record<string, unknown>, names: readonly string[]): string {
  for (const n of names) {
    const v = body[n];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new BadRequestError('Could not parse request body', [{ field: n, message: 'must be a string' }]);
    return v;
  }
  return '';
}

/**
 * A DiscoveryRequest as proto JSON (proto or JSON field names, as Envoy's REST clients and Prometheus send
 * it). `type_url` may be empty or the MonitoringAssignment type; anything else is refused.
 */
export function parseMadsRequest(json: unknown): MadsRequest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new BadRequestError('Could not parse request body', [{ field: 'body', message: 'must be a JSON object' }]);
  const body = json as Record<string, unknown>;
  const typeUrl = stringField(body, ['type_url', 'typeUrl']);
  checkTypeUrl(typeUrl);
  const node = body['node'];
  const nodeId = typeof node === 'object' && node !== null ? stringField(node as Record<string, unknown>, ['id']) : '';
  return { versionInfo: stringField(body, ['version_info', 'versionInfo']), nodeId: clip(nodeId, 128) };
}

/** Refuses a request for another resource type. */
export function checkTypeUrl(typeUrl: string): void {
  if (typeUrl !== '' && typeUrl !== MADS_TYPE_URL) {
    throw new BadRequestError(`type_url "${clip(typeUrl, 100)}" is not served here`, [{ field: 'type_url', message: `must be ${MADS_TYPE_URL}` }]);
  }
}
