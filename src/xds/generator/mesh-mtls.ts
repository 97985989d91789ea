import type { Resource } from '../../core/resources/model.js';
import { SERVICE_TAG, type Tags } from '../../core/resources/specs.js';
import { spiffeId, type IdentityRequest, type IssuedIdentity } from '../../mtls/workload-identity.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { identitySecret, meshCaSecret, meshSecretNames } from '../envoy/mesh-tls.js';
import type { RbacPolicy, RbacPrincipal } from '../envoy/rbac.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { MeshSnapshot } from './mesh-snapshot.js';
import { bestRank, proxyTagSets } from './policy-match.js';

const MATCH_ALL = '*';

/** The mesh's CA when mTLS is on; throws (naming the mesh) when it is on but the CA cannot be read. */
export function meshCa(snap: MeshSnapshot): { readonly ca: { readonly certPem: string }; readonly digest: string } | undefined {
  const mtls = snap.mtls;
  if (!mtls) return undefined;
  if ('error' in mtls) throw new Error(`mTLS is on but the CA cannot be used: ${mtls.error}`);
  return mtls;
}

/** What the proxy's workload certificate must be issued for; undefined when mTLS is off or its CA is unusable. */
export function identityRequest(snap: MeshSnapshot, dataplaneName: string): IdentityRequest | undefined {
  const mtls = snap.mtls;
  const dp = snap.dataplanes.get(dataplaneName);
  if (!mtls || 'error' in mtls || !dp) return undefined;
  return { mesh: snap.mesh, ca: mtls.ca, tagSets: proxyTagSets(dp.spec) };
}

interface IdentitySecretParams {
  readonly mesh: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** The proxy's SDS identity secret (its own: memoised by its certificate, so it is encoded once per issue). */
export function identitySecretResource(snap: MeshSnapshot, identity: IssuedIdentity): EncodedResource {
  const params: IdentitySecretParams = { mesh: snap.mesh, certPem: identity.certPem, keyPem: identity.keyPem };
  return snap.resource(TYPE_URLS.secret, meshSecretNames.identity(snap.mesh), params, buildIdentitySecret);
}

function buildIdentitySecret(p: IdentitySecretParams): EnvoyObject {
  return identitySecret(p.mesh, p.certPem, p.keyPem);
}

interface CaSecretParams {
  readonly mesh: string;
  readonly caPem: string;
}

/** The mesh CA SDS secret, shared by the mesh's proxies. Throws when mTLS is off or its CA unusable. */
export function meshCaSecretResource(snap: MeshSnapshot): EncodedResource {
  const ca = meshCa(snap);
  if (!ca) throw new Error(`mesh ${snap.mesh} has no mTLS CA`);
  const params: CaSecretParams = { mesh: snap.mesh, caPem: ca.ca.certPem };
  return snap.resource(TYPE_URLS.secret, meshSecretNames.ca(snap.mesh), params, buildCaSecret);
}

function buildCaSecret(p: CaSecretParams): EnvoyObject {
  return meshCaSecret(p.mesh, p.caPem);
}

/**
 * TrafficPermission as RBAC for an inbound with `tags`: one policy per TrafficPermission whose destinations
 * match it, named by the TrafficPermission, one principal per source selector (all `*` = any client of the
 * mesh; otherwise the SPIFFE ID of its service and the `kuma://` URI of each other tag). None = deny all.
 */
export function inboundRbacPolicies(snap: MeshSnapshot, tags: Tags): readonly RbacPolicy[] {
  return snap.derived({ tags }, rbacPolicies);
}

function rbacPolicies(snap: MeshSnapshot, { tags }: { readonly tags: Tags }): readonly RbacPolicy[] {
  return snap.policies.trafficPermissions
    .filter((tp) => bestRank(tp.spec.destinations, [tags]) !== undefined)
    .sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0))
    .map((tp) => ({ name: tp.meta.name, principals: principalsOf(snap.mesh, tp) }));
}

function principalsOf(mesh: string, tp: Resource<{ sources: readonly { match: Tags }[] }>): RbacPrincipal[] {
  return tp.spec.sources.map((s): RbacPrincipal => {
    const uris: string[] = [];
    const service = s.match[SERVICE_TAG];
    if (service !== undefined && service !== MATCH_ALL) uris.push(spiffeId(mesh, service));
    for (const key of Object.keys(s.match).sort()) {
      const value = s.match[key];
      if (key !== SERVICE_TAG && value !== MATCH_ALL) uris.push(`kuma://${key}/${value}`);
    }
    return uris.length === 0 ? { any: true } : { uris };
  });
}
