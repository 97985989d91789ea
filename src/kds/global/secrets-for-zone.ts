import { caSecretsOf } from '../../mtls/mesh-ca.js';
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

/** Per mesh, the Secrets its mTLS backends' CAs are read from (zones sign workload certificates with them). */
function meshCaSecrets(index: ExportIndex): Set<string> {
  const out = new Set<string>();
  for (const m of index.get('Mesh').values()) {
    for (const backend of m.resource.spec.mtls?.backends ?? []) {
      for (const name of caSecretsOf(m.resource.meta.name, backend)) out.add(`${m.resource.meta.name}/${name}`);
    }
  }
  return out;
}

/**
 * Secrets zone `zone` receives (stricter than Kuma, which sends every mesh Secret to every zone): the CA
 * Secrets of every mesh's mTLS backends (a zone must issue certificates as soon as a proxy connects), and
 * other Secrets only for meshes where the zone has Dataplanes (e.g. ExternalService TLS); token material
 * never. GlobalSecrets are never sent: nothing in a zone reads one.
 */
export function* secretsForZone(index: ExportIndex, zone: string): Iterable<ExportedResource> {
  const meshes = new Set<string>();
  for (const r of index.get('Dataplane').values()) {
    if (r.resource.meta.labels?.[ZONE_LABEL] === zone) meshes.add(r.resource.meta.mesh);
  }
  const cas = meshCaSecrets(index);
  for (const r of index.get('Secret').values()) {
    const { mesh, name } = r.resource.meta;
    if (isTokenMaterial(name)) continue;
    if (meshes.has(mesh) || cas.has(`${mesh}/${name}`)) yield r;
  }
}
