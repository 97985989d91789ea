import { SERVICE_TAG, type Selector } from '../../core/resources/specs.js';
import { anyOf, type EnvoyObject } from '../envoy/encode.js';
import { spiffeId } from '../envoy/xds-tls.js';

const RBAC_TYPE = 'envoy.extensions.filters.http.rbac.v3.RBAC';
export const RBAC_FILTER_NAME = 'envoy.filters.http.rbac';
const MATCH_ALL = '*';

/** What of a TrafficPermission the RBAC filter reads: its name and its sources. */
export interface PermissionParams {
  readonly name: string;
  readonly sources: readonly Selector[];
}

/**
 * gRFC A41 RBAC HTTP filter of an xDS-enabled gRPC server from the TrafficPermission that applies to the
 * inbound (matchInboundPolicy, as for a sidecar), or none: ALLOW with no policy denies every RPC
 * (PERMISSION_DENIED), as Kuma denies traffic no TrafficPermission allows.
 *
 * Principals are the callers' certificate SANs (checked against URI SANs by both clients): `kuma.io/service`
 * as the SPIFFE id `spiffe://<mesh>/<service>` (`*`: any service of the mesh, by prefix), every other tag as
 * `kuma://<tag>/<value>`, all of a selector's tags required (and_ids). Never bare `authenticated{}` (C-core
 * 1.51 treats it as any, plaintext included).
 */
export function grpcRbacFilter(mesh: string, permission: PermissionParams | undefined): EnvoyObject {
  const policies: Record<string, EnvoyObject> = {};
  if (permission) {
    const principals = permission.sources.map((s) => principal(mesh, s));
    if (principals.length > 0) policies[permission.name] = { permissions: [{ any: true }], principals };
  }
  return { name: RBAC_FILTER_NAME, typed_config: anyOf(RBAC_TYPE, { rules: { action: 'ALLOW', policies } }) };
}

function principal(mesh: string, selector: Selector): EnvoyObject {
  const ids = Object.keys(selector.match)
    .sort((a, b) => (a === SERVICE_TAG ? -1 : b === SERVICE_TAG ? 1 : a.localeCompare(b)))
    .map((tag) => {
      const value = selector.match[tag] ?? MATCH_ALL;
      const prefix = tag === SERVICE_TAG ? spiffeId(mesh, '') : `kuma://${tag}/`;
      return { authenticated: { principal_name: value === MATCH_ALL ? { prefix } : { exact: `${prefix}${value}` } } };
    });
  const [only] = ids;
  return ids.length === 1 && only ? only : { and_ids: { ids } };
}
