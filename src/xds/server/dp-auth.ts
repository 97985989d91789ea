import { UnauthenticatedError } from '../../core/errors.js';
import type { ResourceManager } from '../../core/manager/resource-manager.js';
import type { DataplaneSpec } from '../../core/resources/specs.js';
import { authenticateDataplane } from '../../core/tokens/dataplane-token.js';
import { authenticateZoneIngress } from '../../core/tokens/zone-ingress-token.js';
import { INLINE_DATAPLANE_KEY, parseInlineDataplane } from '../sync/dataplane-lifecycle.js';
import type { NodeInfo } from './node-identity.js';

/** Node metadata key of the token in Kuma's bootstraps; proxyless gRPC clients carry it this way (their bootstrap has no call credentials). */
export const DP_TOKEN_METADATA = 'dataplane.token';

export const MISSING_INGRESS_TOKEN =
  'no zone-ingress token: send it as gRPC metadata "authorization"; an admin of this zone control plane issues one with POST /tokens/zone-ingress';

export type DpAuthType = 'dpToken' | 'none';

export const MISSING_TOKEN =
  'no data-plane token: send it as gRPC metadata "authorization" (Envoy) or node metadata "dataplane.token" (proxyless bootstrap); an admin issues one with POST /tokens/dataplane';

/**
 * The token of a stream: its single `authorization` metadata value, else node metadata `dataplane.token`.
 * `Bearer ...` values are not data-plane tokens (Envoy sends the raw JWT): they are the call credentials that
 * gRPC's `google_default` channel credentials add, the one TLS option proxyless bootstraps have for the xDS server.
 */
export function streamToken(info: Pick<NodeInfo, 'authorization' | 'metadata'>): string {
  const values = info.authorization.filter((v) => !v.startsWith('Bearer '));
  if (values.length > 1) throw new UnauthenticatedError('more than one "authorization" metadata value');
  const fromCall = values[0];
  if (fromCall) return fromCall;
  const fromNode = info.metadata[DP_TOKEN_METADATA];
  return typeof fromNode === 'string' ? fromNode : '';
}

/**
 * Data-plane authentication on the first request of each ADS stream (`dpServer.authn.dpProxy.type`):
 * the token must be valid for the proxy's mesh and match its name, type and the tags of the Dataplane it
 * registers inline or that is stored under its name (type ingress for a Kuma 1.1 ingress Dataplane). A zone ingress (node id `.<name>`, no mesh) presents a
 * zone-ingress token of this control plane's zone (`localZone`, empty on standalone).
 */
export async function authenticateStream(manager: ResourceManager, type: DpAuthType, info: NodeInfo, localZone = ''): Promise<void> {
  if (type === 'none') return;
  const token = streamToken(info);
  if (info.mesh === '') {
    if (!token) throw new UnauthenticatedError(MISSING_INGRESS_TOKEN);
    await authenticateZoneIngress(manager, token, localZone);
    return;
  }
  if (!token) throw new UnauthenticatedError(MISSING_TOKEN);
  const inline = info.metadata[INLINE_DATAPLANE_KEY];
  let spec: DataplaneSpec | undefined;
  if (typeof inline === 'string' && inline.trim() !== '') {
    spec = parseInlineDataplane(inline, info) as unknown as DataplaneSpec;
  } else {
    spec = (await manager.find('Dataplane', { name: info.name, mesh: info.mesh }))?.spec;
  }
  // A Kuma 1.1 ingress Dataplane (`networking.ingress`) presents a token of type ingress, as in Kuma 1.1.
  const proxyType = spec?.networking?.ingress !== undefined ? 'ingress' : 'dataplane';
  await authenticateDataplane(manager, token, { mesh: info.mesh, name: info.name, type: proxyType, spec });
}
