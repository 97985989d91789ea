import { anyOf, type EnvoyObject } from './encode.js';

/** One allowed source: `any`, or the URI SANs a client certificate must all carry. */
export type RbacPrincipal = { readonly any: true } | { readonly uris: readonly string[] };

export interface RbacPolicy {
  /** The TrafficPermission's name (Kuma's policy key). */
  readonly name: string;
  readonly principals: readonly RbacPrincipal[];
}

/** Name of the HTTP RBAC filter (gRFC A41, xDS-enabled gRPC servers). */
const HTTP_RBAC_FILTER = 'envoy.filters.http.rbac';

function principal(p: RbacPrincipal): EnvoyObject {
  if ('any' in p) return { any: true };
  const ids = p.uris.map((uri) => ({ authenticated: { principal_name: { exact: uri } } }));
  return ids.length === 1 ? (ids[0] as EnvoyObject) : { and_ids: { ids } };
}

/**
 * The `rules` (config.rbac.v3.RBAC, action ALLOW) both RBAC filters carry: one policy per TrafficPermission,
 * any permission, its principals. Principals are exact URI SANs (SPIFFE ids and kuma:// tags), which both
 * Envoy and gRPC (A41: URI SANs first) check; never a bare `authenticated{}` (C-core 1.51 treats it as any,
 * plaintext included). No policies = everything denied.
 */
function rbacRules(policies: readonly RbacPolicy[]): EnvoyObject {
  const rules: Record<string, EnvoyObject> = {};
  for (const p of policies) rules[p.name] = { permissions: [{ any: true }], principals: p.principals.map(principal) };
  return { policies: rules };
}

/**
 * `envoy.filters.network.rbac` allowing connections whose client certificate matches a principal of one of
 * the policies (any permission). No policies = every connection is denied.
 */
export function networkRbacFilter(statPrefix: string, policies: readonly RbacPolicy[]): EnvoyObject {
  return {
    name: 'envoy.filters.network.rbac',
    typed_config: anyOf('envoy.extensions.filters.network.rbac.v3.RBAC', { stat_prefix: statPrefix, rules: rbacRules(policies) }),
  };
}

/**
 * The same rules as the HTTP RBAC filter of an xDS-enabled gRPC server (gRFC A41): a denied RPC fails with
 * PERMISSION_DENIED. grpc-js-xds servers apply it only with GRPC_XDS_EXPERIMENTAL_RBAC=true (else they NACK it).
 */
export function httpRbacFilter(policies: readonly RbacPolicy[]): EnvoyObject {
  return { name: HTTP_RBAC_FILTER, typed_config: anyOf('envoy.extensions.filters.http.rbac.v3.RBAC', { rules: rbacRules(policies) }) };
}
