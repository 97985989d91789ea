import type { ExportIndex } from '../export-index.js';
import { ZONE_LABEL } from '../labels.js';
import type { ExportedResource } from '../wire-resource.js';

/**
 * Token material: signing keys (private), revocation lists and the admin token. It stays on the control
 * plane that issues and validates it; a zone creates its own data-plane signing keys.
 */
export function isTokenMaterial(name: string): boolean {
  return name === 'admin-user-token' || /^(dataplane|zone|zone-ingress|user)-token-(signing-key|signing-public-key|revocations)(-|$)/.test(name);
}

/**
 * Secrets zone `zone` receives (stricter than Kuma, which sends every mesh Secret to every zone): only
 * those of meshes where the zone has Dataplanes (their ExternalService TLS, the mesh CA), never token
 * material. GlobalSecrets are never sent: nothing in a zone reads one.
 */
export function* secretsForZone(index: ExportIndex, zone: string): Iterable<ExportedResource> {
  const meshes = new Set<string>();
  for (const r of index.get('Dataplane').values()) {
    if (r.resource.meta.labels?.[ZONE_LABEL] === zone) meshes.add(r.resource.meta.mesh);
  }
  if (meshes.size === 0) return;
  for (const r of index.get('Secret').values()) {
    if (meshes.has(r.resource.meta.mesh) && !isTokenMaterial(r.resource.meta.name)) yield r;
  }
}
