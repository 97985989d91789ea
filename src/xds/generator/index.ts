/**
 * Envoy resource generation: pure functions from a mesh's resources to encoded xDS resources.
 * The xDS reconciler builds one MeshSnapshot per mesh change and asks it for every connected proxy.
 */
import { MeshSnapshot, type MeshInputs } from './mesh-snapshot.js';

export type { MeshInputs } from './mesh-snapshot.js';
export { MeshSnapshot } from './mesh-snapshot.js';
export { generateSidecar } from './sidecar.js';
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
