/**
 * Envoy resource generation: pure functions from a mesh's resources to encoded xDS resources.
 * The xDS reconciler builds one MeshSnapshot per mesh change and asks it for every connected proxy.
 */
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { ResourceGroup } from '../cache/resource-group.js';
import { MeshSnapshot, type MeshInputs } from './mesh-snapshot.js';
import { generateProxyless } from './proxyless.js';
import { generateSidecarParts } from './sidecar.js';
import type { IssuedIdentity } from '../../mtls/workload-identity.js';

export type { MeshInputs } from './mesh-snapshot.js';
export { MeshSnapshot } from './mesh-snapshot.js';
export { generateSidecar, generateSidecarParts } from './sidecar.js';
export { generateProxyless } from './proxyless.js';
export { identityRequest } from './mesh-mtls.js';
export { generateIngress, ingressOfDataplane, ingressOfZoneIngress, type IngressProxy } from './ingress.js';

/**
 * Pure: once per mesh change. Resources it encodes are memoised inside and shared by every proxy; those
 * the `previous` snapshot of the mesh already encoded are reused (same bytes, not encoded again).
 */
export function buildMeshSnapshot(inputs: MeshInputs, previous?: MeshSnapshot): MeshSnapshot {
  return new MeshSnapshot(inputs, previous);
}

/** A sidecar's snapshot (`identity`: its workload certificate when mTLS is on): its own resources plus the group it shares with every sidecar of the same parameters. */
export function sidecarSnapshot(snap: MeshSnapshot, dataplaneName: string, identity?: IssuedIdentity): ProxySnapshot {
  const { own, shared } = generateSidecarParts(snap, dataplaneName, identity);
  return ProxySnapshot.of([new ResourceGroup(own), shared]);
}

/** The mesh's proxyless catalog, one snapshot shared by every proxyless client of the mesh snapshot. */
export function proxylessSnapshot(snap: MeshSnapshot): ProxySnapshot {
  return snap.derived('proxyless-snapshot', () => ProxySnapshot.from(generateProxyless(snap)));
}
