import { z } from 'zod';
import { UnauthenticatedError, type Violation } from '../errors.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import type { RevocationList } from './revocations.js';
import type { KeyScope } from './signing-keys.js';
import { ZONE_SCOPES } from './token-kinds.js';
import { issueToken, validateToken } from './token-validator.js';
import { parseTokenRequest } from './valid-for.js';

export interface ZoneTokenClaims {
  readonly Zone: string;
  readonly Scope: readonly string[];
}

/** GlobalSecret `zone-token-signing-key-<n>`; revocations in GlobalSecret `zone-token-revocations`. */
export const ZONE_KEY_SCOPE: Readonly<KeyScope> = { type: 'GlobalSecret', mesh: '', prefix: 'zone-token-signing-key' };
export const ZONE_REVOCATIONS: Readonly<RevocationList> = { type: 'GlobalSecret', mesh: '', name: 'zone-token-revocations' };

export const zoneTokenRequestSchema = z.object({
  zone: z.string().default(''),
  scope: z.array(z.string()).nullable().default(null),
  validFor: z.string().default(''),
});

/** `POST /tokens/zone` `{zone, scope, validFor}`. Unlike Kuma, `zone` is required: a token for any zone could claim every name. */
export async function issueZoneToken(manager: ResourceManager, body: unknown): Promise<string> {
  const { request: r, validForMs } = parseTokenRequest(zoneTokenRequestSchema, body, (req) => {
    const violations: Violation[] = [];
    if (req.zone === '') violations.push({ field: 'zone', message: 'cannot be empty' });
    if (req.scope === null || req.scope.length === 0) violations.push({ field: 'scope', message: 'cannot be empty' });
    for (const s of req.scope ?? []) if (!(ZONE_SCOPES as readonly string[]).includes(s)) violations.push({ field: 'scope', message: `${s} is not one of ${ZONE_SCOPES.join(', ')}` });
    return violations;
  });
  const claims: ZoneTokenClaims = { Zone: r.zone, Scope: r.scope ?? [] };
  return issueToken(manager, ZONE_KEY_SCOPE, claims, validForMs);
}

/** A zone control plane's token: valid, with scope `cp`, naming exactly `zone`. */
export async function authenticateZone(manager: ResourceManager, token: string, zone: string): Promise<ZoneTokenClaims> {
  const payload = await validateToken(manager, token, ZONE_KEY_SCOPE, ZONE_REVOCATIONS);
  const claims: ZoneTokenClaims = {
    Zone: typeof payload['Zone'] === 'string' ? payload['Zone'] : '',
    Scope: Array.isArray(payload['Scope']) ? payload['Scope'].filter((s): s is string => typeof s === 'string') : [],
  };
  if (!claims.Scope.includes('cp')) throw new UnauthenticatedError(`token scope [${claims.Scope.join(', ')}] does not include cp: it cannot authenticate a zone control plane`);
  if (claims.Zone !== zone) throw new UnauthenticatedError(`zone from requestor: ${zone} is different than in token: ${claims.Zone || '(none)'}`);
  return claims;
}
