import { z } from 'zod';
import type { Violation } from '../errors.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import type { RevocationList } from './revocations.js';
import type { KeyScope } from './signing-keys.js';
import { issueToken, validateToken } from './token-validator.js';
import { parseTokenRequest } from './valid-for.js';

export const ADMIN_GROUP = 'mesh-system:admin';
export const AUTHENTICATED_GROUP = 'mesh-system:authenticated';
export const UNAUTHENTICATED_GROUP = 'mesh-system:unauthenticated';

export interface User {
  readonly name: string;
  readonly groups: readonly string[];
}

export const ADMIN_USER: Readonly<User> = { name: 'mesh-system:admin', groups: [ADMIN_GROUP, AUTHENTICATED_GROUP] };
export const ANONYMOUS_USER: Readonly<User> = { name: 'mesh-system:anonymous', groups: [UNAUTHENTICATED_GROUP] };

export const isAdmin = (u: User): boolean => u.groups.includes(ADMIN_GROUP);
export const describeUser = (u: User): string => `${u.name}/${u.groups.join(',')}`;

/** GlobalSecret `user-token-signing-key-<n>`; revocations in GlobalSecret `user-token-revocations`. */
export const USER_KEY_SCOPE: Readonly<KeyScope> = { type: 'GlobalSecret', mesh: '', prefix: 'user-token-signing-key' };
export const USER_REVOCATIONS: Readonly<RevocationList> = { type: 'GlobalSecret', mesh: '', name: 'user-token-revocations' };

export const userTokenRequestSchema = z.object({ name: z.string().default(''), groups: z.array(z.string()).default([]), validFor: z.string().default('') });

/** `POST /tokens/user` `{name, groups, validFor}`: name and validFor are required (no 10-year default, as in Kuma). */
export async function issueUserToken(manager: ResourceManager, body: unknown): Promise<string> {
  const { request: r, validForMs } = parseTokenRequest(userTokenRequestSchema, body, (req) => {
    const violations: Violation[] = [];
    if (req.name === '') violations.push({ field: 'name', message: 'cannot be empty' });
    if (req.validFor === '') violations.push({ field: 'validFor', message: 'cannot be empty' });
    return violations;
  });
  return issueToken(manager, USER_KEY_SCOPE, { Name: r.name, Groups: r.groups }, validForMs);
}

/** The user a valid token names, with group `mesh-system:authenticated` added. */
export async function authenticateUser(manager: ResourceManager, token: string): Promise<User> {
  const payload = await validateToken(manager, token, USER_KEY_SCOPE, USER_REVOCATIONS);
  const name = typeof payload['Name'] === 'string' ? payload['Name'] : '';
  const groups = Array.isArray(payload['Groups']) ? payload['Groups'].filter((g): g is string => typeof g === 'string') : [];
  return { name, groups: [...groups.filter((g) => g !== AUTHENTICATED_GROUP), AUTHENTICATED_GROUP] };
}
