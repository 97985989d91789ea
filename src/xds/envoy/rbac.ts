import { anyOf, type EnvoyObject } from './encode.js';

/** One allowed source: `any`, or the URI SANs a client certificate must all carry. */
export type RbacPrincipal = { readonly any: true } | { readonly uris: readonly string[] };

export interface RbacPolicy {
  /** The TrafficPermission's name (Kuma's policy key). */
  readonly name: string;
  readonly principals: readonly RbacPrincipal[];
}

function principal(p: RbacPrincipal): EnvoyObject {
  if ('any' in p) return { any: true };
  const ids = p.uris.map((uri) => ({ authenticated: { principal_name: { exact: uri } } }));
  return ids.length === 1 ? (ids[0] as EnvoyObject) : { and_ids: { ids } };
}

/**
 * `envoy.filters.network.rbac` allowing connections whose client certificate matches a principal of one of
 * the policies (any permission). No policies = every connection is denied.
 */
export function networkRbacFilter(statPrefix: string, policies: readonly RbacPolicy[]): EnvoyObject {
  const rules: Record<string, EnvoyObject> = {};
  for (const p of policies) rules[p.name] = { permissions: [{ any: true }], principals: p.principals.map(principal) };
  return {
    name: 'envoy.filters.network.rbac',
    typed_config: anyOf('envoy.extensions.filters.network.rbac.v3.RBAC', { stat_prefix: statPrefix, rules: { policies: rules } }),
  };
}
