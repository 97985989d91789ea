/**
 * Envoy resource generation: pure functions from a mesh's resources to encoded xDS resources.
 * The xDS reconciler builds one MeshSnapshot per mesh change and asks it for every connected proxy.
 */
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { ResourceGroup } from '../cache/resource-group.js';
import { MeshSnapshot, type MeshInputs } from './mesh-snapshot.js';
import { generateProxylessParts } from './proxyless.js';
import type { ProxylessClient } from './proxyless-client.js';
import { generateSidecarParts } from './sidecar.js';
import type { IssuedIdentity } from '../../mtls/workload-identity.js';

export type { MeshInputs, PolicyInputs } from './mesh-snapshot.js';
export { MeshSnapshot, withPolicies } from './mesh-snapshot.js';
export { generateSidecar, generateSidecarParts } from './sidecar.js';
export { generateProxyless, generateProxylessParts, proxylessLbNotes, type ProxylessLbNote } from './proxyless.js';
export { proxylessCapabilities, type ProxylessClient } from './proxyless-client.js';
export { identityRequest } from './mesh-mtls.js';
export { generateIngress, ingressOfDataplane, ingressOfZoneIngress, type IngressProxy } from './ingress.js';

/**
 * Pure: once per mesh change. Resources it encodes are memoised inside and shared by every proxy; those
 * the `previous` snapshot of the mesh already encoded are reused (same bytes, not encoded again).
 */
export function buildMeshSnapshot(inputs: MeshInputs, previous?: MeshSnapshot): MeshSnapshot {
  return new MeshSnapshot(inputs, previous);
}

/**
 * A sidecar's snapshot (`identity`: its workload certificate when mTLS is on; `adminPort`: its Envoy admin
 * port): its own resources, the group it shares with every sidecar of the same parameters, and its routes
 * that carry its tags (shared with the sidecars of the same tags).
 */
export function sidecarSnapshot(snap: MeshSnapshot, dataplaneName: string, identity?: IssuedIdentity, adminPort?: number): ProxySnapshot {
  const { own, shared, tagged } = generateSidecarParts(snap, dataplaneName, identity, adminPort);
  return ProxySnapshot.of([new ResourceGroup(own), shared, tagged]);
}

/**
 * A proxyless data plane's snapshot: the client catalog of its policy set (one snapshot instance for every
 * client of that set without a server side), plus its own xDS-server listeners if it has inbounds.
 * `client`: its user agent, which tells the load balancers it implements.
 */
export function proxylessSnapshot(snap: MeshSnapshot, dataplaneName: string, client?: ProxylessClient): ProxySnapshot {
  const { own, shared } = generateProxylessParts(snap, dataplaneName, client);
  if (own.length === 0) return snap.derived({ shared }, sharedOnlySnapshot);
  return ProxySnapshot.of([new ResourceGroup(own), shared]);
}


/** The snapshot of proxyless clients without a server side: one instance per shared catalog. */
function sharedOnlySnapshot(_snap: MeshSnapshot, { shared }: { readonly shared: ResourceGroup }): ProxySnapshot {
  return ProxySnapshot.of([shared]);
}
