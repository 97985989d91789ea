import type { IncomingMessage } from 'node:http';
import { AccessDeniedError, UnauthenticatedError } from '../core/errors.js';
import type { Runtime } from '../core/runtime/runtime.js';
import { ADMIN_USER, ANONYMOUS_USER, authenticateUser, describeUser, isAdmin, UNAUTHENTICATED_GROUP, type User } from '../core/tokens/user-token.js';

const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Paths that never need a user (Kuma skips `/` and the GUI): a bad bearer there is ignored. */
function skipsAuthn(method: string, pathname: string): boolean {
  return (method === 'GET' && (pathname === '/' || pathname === '')) || pathname === '/gui' || pathname.startsWith('/gui/');
}

/**
 * Kuma 2.x API authentication: with `localhostIsAdmin`, a request from 127.0.0.1/::1 is `mesh-system:admin`
 * (any token ignored); else `authorization: Bearer <user token>` names the user (an invalid token is 401);
 * no bearer = `mesh-system:anonymous`.
 */
export async function authenticateRequest(rt: Runtime, req: IncomingMessage, method: string, pathname: string): Promise<User> {
  const { localhostIsAdmin } = rt.config.apiServer.authn;
  if (localhostIsAdmin && LOOPBACK.has(req.socket.remoteAddress ?? '')) return ADMIN_USER;
  if (skipsAuthn(method, pathname)) return ANONYMOUS_USER;
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) return ANONYMOUS_USER;
  return authenticateUser(rt.manager, header.slice('Bearer '.length).trim());
}

/**
 * What a caller outside the admin group may do (`apiServer.authn.nonAdmin`): `readOnly` = GETs only;
 * `none` = nothing but the index. Secrets and token issuing are checked per endpoint (`assertAdmin`).
 */
export function assertMayCall(rt: Runtime, user: User, method: string, pathname: string): void {
  if (isAdmin(user) || skipsAuthn(method, pathname)) return;
  if (rt.config.apiServer.authn.nonAdmin === 'none') {
    if (user.groups.includes(UNAUTHENTICATED_GROUP)) throw new UnauthenticatedError('authentication required: send authorization: Bearer <user token>');
    throw new AccessDeniedError(`user "${describeUser(user)}" cannot access the API: only the mesh-system:admin group can (apiServer.authn.nonAdmin: none)`);
  }
  if (method !== 'GET' && method !== 'HEAD') {
    throw new AccessDeniedError(`user "${describeUser(user)}" cannot modify resources: only the mesh-system:admin group can (apiServer.authn.nonAdmin: readOnly)`);
  }
}

/** Admin-only actions: Secret/GlobalSecret access and token issuing. */
export function assertAdmin(user: User, what: string): void {
  if (!isAdmin(user)) throw new AccessDeniedError(`user "${describeUser(user)}" cannot access ${what}`);
}
