import { z } from 'zod';
import { UnauthenticatedError } from '../errors.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import type { RevocationList } from './revocations.js';
import type { KeyScope } from './signing-keys.js';
import { issueToken, validateToken } from './token-validator.js';
import { parseTokenRequest } from './valid-for.js';

/**
 * Kuma's zone-ingress token (1.2-2.6): claim `Zone`, signed with GlobalSecret `zone-ingress-token-signing-key-<n>`
 * of the control plane the ingress connects to (a zone or standalone CP), which issues it; the keys never
 * cross KDS. Revocations in GlobalSecret `zone-ingress-token-revocations`.
 */
export const ZONE_INGRESS_KEY_SCOPE: Readonly<KeyScope> = { type: 'GlobalSecret', mesh: '', prefix: 'zone-ingress-token-signing-key' };
export const ZONE_INGRESS_REVOCATIONS: Readonly<RevocationList> = { type: 'GlobalSecret', mesh: '', name: 'zone-ingress-token-revocations' };

const requestSchema = z.object({ zone: z.string().default(''), validFor: z.string().default('') });

/** `POST /tokens/zone-ingress` `{zone, validFor}` (Kuma 1.2+): `zone` must be this control plane's zone (empty on standalone). */
export async function issueZoneIngressToken(manager: ResourceManager, body: unknown, localZone: string): Promise<string> {
  const { request: r, validForMs } = parseTokenRequest(requestSchema, body, (req) =>
    req.zone === localZone ? [] : [{ field: 'zone', message: localZone ? `must be this control plane's zone "${localZone}"` : 'must be empty on a standalone control plane' }],
  );
  return issueToken(manager, ZONE_INGRESS_KEY_SCOPE, { Zone: r.zone }, validForMs);
}

/** A zone ingress proxy's token: valid, signed by this control plane, for this control plane's zone. */
export async function authenticateZoneIngress(manager: Pick<ResourceManager, 'list' | 'find' | 'create'>, token: string, localZone: string): Promise<void> {
  const payload = await validateToken(manager, token, ZONE_INGRESS_KEY_SCOPE, ZONE_INGRESS_REVOCATIONS);
  const zone = typeof payload['Zone'] === 'string' ? payload['Zone'] : '';
  if (zone !== localZone) throw new UnauthenticatedError(`zone from requestor: ${localZone || '(standalone)'} is different than in token: ${zone || '(none)'}`);
}
