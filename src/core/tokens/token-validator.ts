import { UnauthenticatedError } from '../errors.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import { decodeJwt, signJwt, verifyJwt, type DecodedJwt } from './jwt.js';
import { isRevoked, type RevocationList } from './revocations.js';
import { SigningKeys, type KeyScope } from './signing-keys.js';

/**
 * Verifies a token against the signing keys of `scope` (picked by `kid`), its time claims and the
 * revocation list. Returns the claims; every failure is an UnauthenticatedError saying why in one line.
 */
export async function validateToken(
  manager: Pick<ResourceManager, 'list' | 'find' | 'create'>,
  token: string,
  scope: KeyScope,
  revocations: RevocationList,
): Promise<DecodedJwt['payload']> {
  if (token.trim() === '') throw new UnauthenticatedError('no token');
  const decoded = decodeJwt(token);
  const key = await new SigningKeys(manager, scope).byKid(decoded.kid);
  const payload = verifyJwt(decoded, key.publicKey);
  if (typeof payload.jti !== 'string' || payload.jti === '') throw new UnauthenticatedError('token has no jti claim');
  if (await isRevoked(manager, revocations, payload.jti)) throw new UnauthenticatedError('token is revoked');
  return payload;
}

/** Issues a token signed with the newest key of `scope` (created on first use). */
export async function issueToken(manager: Pick<ResourceManager, 'list' | 'find' | 'create'>, scope: KeyScope, claims: object, validForMs: number): Promise<string> {
  const key = await new SigningKeys(manager, scope).current();
  return signJwt(claims, key, validForMs);
}
