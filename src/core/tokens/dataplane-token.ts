import { z } from 'zod';
import { MeshNotFoundError, UnauthenticatedError, type Violation } from '../errors.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import type { DataplaneSpec } from '../resources/specs.js';
import type { RevocationList } from './revocations.js';
import type { KeyScope } from './signing-keys.js';
import { PROXY_TYPES, type ProxyType } from './token-kinds.js';
import { issueToken, validateToken } from './token-validator.js';
import { parseTokenRequest } from './valid-for.js';


/** Kuma's claims (capitalised keys: the Go structs have no json tags). Empty claims are not checked. */
export interface DataplaneTokenClaims {
  readonly Name: string;
  readonly Mesh: string;
  readonly Tags: Readonly<Record<string, readonly string[]>>;
  readonly Type: string;
}

/** Mesh Secret `dataplane-token-signing-key-<mesh>-<n>`. */
export const dataplaneKeyScope = (mesh: string): KeyScope => ({ type: 'Secret', mesh, prefix: `dataplane-token-signing-key-${mesh}` });
/** Mesh Secret `dataplane-token-revocations-<mesh>`: comma-separated `jti`s. */
export const dataplaneRevocations = (mesh: string): RevocationList => ({ type: 'Secret', mesh, name: `dataplane-token-revocations-${mesh}` });

/** `POST /tokens/dataplane` body (Kuma 2.x): `{name, mesh, tags: {k: [v...]}, type, validFor}`. */
export const dataplaneTokenRequestSchema = z.object({
  name: z.string().default(''),
  mesh: z.string().default(''),
  tags: z.record(z.string(), z.array(z.string())).default({}),
  type: z.string().default(''),
  validFor: z.string().default(''),
});
export type DataplaneTokenRequest = z.input<typeof dataplaneTokenRequestSchema>;

export async function issueDataplaneToken(manager: ResourceManager, body: unknown): Promise<string> {
  const { request: r, validForMs } = parseTokenRequest(dataplaneTokenRequestSchema, body, (req) => {
    const violations: Violation[] = [];
    if (req.mesh === '') violations.push({ field: 'mesh', message: 'cannot be empty' });
    if (req.type !== '' && !(PROXY_TYPES as readonly string[]).includes(req.type)) violations.push({ field: 'type', message: `${req.type} is not a valid proxy type` });
    return violations;
  });
  if (!(await manager.find('Mesh', { name: r.mesh, mesh: '' }))) throw new MeshNotFoundError(r.mesh);
  const claims: DataplaneTokenClaims = { Name: r.name, Mesh: r.mesh, Tags: r.tags, Type: r.type };
  return issueToken(manager, dataplaneKeyScope(r.mesh), claims, validForMs);
}

/** Every value each tag has on the Dataplane's inbounds and gateway. */
export function dataplaneTagValues(spec: DataplaneSpec): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (tags: Readonly<Record<string, string>>): void => {
    for (const [k, v] of Object.entries(tags)) {
      let set = out.get(k);
      if (!set) out.set(k, (set = new Set()));
      set.add(v);
    }
  };
  for (const inbound of spec.networking.inbound ?? []) add(inbound.tags);
  if (spec.networking.gateway) add(spec.networking.gateway.tags);
  return out;
}

export interface ProxyToAuthenticate {
  readonly mesh: string;
  readonly name: string;
  readonly type: ProxyType;
  /** The Dataplane it registers (inline) or that is stored under its name; undefined if neither. */
  readonly spec: DataplaneSpec | undefined;
}

/**
 * Kuma's universal authenticator: the token must verify with the keys of the proxy's mesh; each non-empty
 * claim must match: Name = name, Mesh = mesh, Type = proxy type (Kuma 1.x enforced it, 2.x dropped it;
 * we keep it), and for every token tag the Dataplane has the tag and each of its values is in the token's list.
 */
export async function authenticateDataplane(manager: ResourceManager, token: string, proxy: ProxyToAuthenticate): Promise<DataplaneTokenClaims> {
  const payload = await validateToken(manager, token, dataplaneKeyScope(proxy.mesh), dataplaneRevocations(proxy.mesh));
  const claims = claimsOf(payload);
  if (claims.Mesh !== '' && claims.Mesh !== proxy.mesh) throw new UnauthenticatedError(`token is for mesh "${claims.Mesh}", not "${proxy.mesh}"`);
  if (claims.Name !== '' && claims.Name !== proxy.name) throw new UnauthenticatedError(`token is for dataplane "${claims.Name}", not "${proxy.name}"`);
  const type = claims.Type === '' ? 'dataplane' : claims.Type;
  if (type !== proxy.type) throw new UnauthenticatedError(`token is for proxy type ${type}, this proxy is a ${proxy.type}`);
  const tagNames = Object.keys(claims.Tags);
  if (tagNames.length > 0) {
    if (!proxy.spec) throw new UnauthenticatedError(`token restricts tags but dataplane "${proxy.name}" has none to check`);
    const have = dataplaneTagValues(proxy.spec);
    for (const tag of tagNames) {
      const allowed = new Set(claims.Tags[tag]);
      const values = have.get(tag);
      if (!values) throw new UnauthenticatedError(`dataplane "${proxy.name}" has no tag ${tag} which the token requires`);
      for (const v of values) if (!allowed.has(v)) throw new UnauthenticatedError(`token does not allow ${tag}=${v} (allowed: ${[...allowed].join(', ')})`);
    }
  }
  return claims;
}

function claimsOf(payload: Record<string, unknown>): DataplaneTokenClaims {
  const str = (k: string): string => (typeof payload[k] === 'string' ? payload[k] : '');
  const tags: Record<string, string[]> = {};
  const raw = payload['Tags'];
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [k, v] of Object.entries(raw)) tags[k] = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }
  return { Name: str('Name'), Mesh: str('Mesh'), Type: str('Type'), Tags: tags };
}
