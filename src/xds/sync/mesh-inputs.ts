import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { POLICY_TYPES } from '../../core/resources/policy-types.js';
import { SERVICE_TAG, type AvailableService, type DataplaneSpec, type ExternalServiceSpec, type VirtualIPSpec, type ZoneIngressSpec } from '../../core/resources/specs.js';
import type { ResourceStore } from '../../core/store/resource-store.js';
import type { MeshInputs } from '../generator/index.js';


/** Everything the generators read for one mesh, from the store; undefined if the mesh does not exist. */
export async function loadMeshInputs(store: ResourceStore, mesh: string, localZone: string | undefined): Promise<MeshInputs | undefined> {
  const meshResource = await store.find('Mesh', { name: mesh, mesh: '' });
  if (!meshResource) return undefined;
  const [dataplanes, externalServices, secrets, zoneIngresses, vipRows, ...policyLists] = await Promise.all([
    store.list('Dataplane', { mesh }),
    store.list('ExternalService', { mesh }),
    store.list('Secret', { mesh }),
    store.list('ZoneIngress'),
    store.list('VirtualIP'),
    ...POLICY_TYPES.map((t) => store.list(t, { mesh })),
  ]);
  const policies = new Map(POLICY_TYPES.map((t, i) => [t, policyLists[i] ?? []]));
  // VIPs are global (one per service across meshes); a sidecar gets outbounds only for its own mesh's services.
  const offered = meshServices(mesh, dataplanes, externalServices, zoneIngresses);
  const vips = new Map<string, string>();
  for (const row of vipRows) {
    const spec = row.spec as unknown as VirtualIPSpec;
    if (spec.service && offered.has(spec.service)) vips.set(spec.service, spec.ip);
  }
  const inputs: MeshInputs = { mesh: meshResource, dataplanes, policies, externalServices, secrets, zoneIngresses, vips };
  if (localZone) inputs.localZone = localZone;
  return inputs;
}

/** `kuma.io/service` names of `mesh`: its Dataplanes' inbounds, its ExternalServices, and what ingresses offer in it. */
function meshServices(mesh: string, dataplanes: readonly Resource[], externalServices: readonly Resource[], zoneIngresses: readonly Resource[]): Set<string> {
  const out = new Set<string>();
  const add = (tags: Record<string, string> | undefined): void => {
    const service = tags?.[SERVICE_TAG];
    if (service) out.add(service);
  };
  const addAvailable = (list: readonly AvailableService[] | undefined, defaultMesh: string): void => {
    for (const a of list ?? []) if ((a.mesh ?? defaultMesh) === mesh) add(a.tags);
  };
  for (const dp of dataplanes) {
    const net = (dp.spec as unknown as DataplaneSpec).networking;
    for (const inbound of net.inbound ?? []) add(inbound.tags);
    addAvailable(net.ingress?.availableServices, mesh);
  }
  for (const es of externalServices) add((es.spec as unknown as ExternalServiceSpec).tags);
  for (const zi of zoneIngresses) addAvailable((zi.spec as unknown as ZoneIngressSpec).availableServices, '');
  return out;
}

/** Meshes whose generated config a store change can affect; 'all' for cross-mesh types (VIPs, ingresses). */
export function affectedMeshes(type: ResourceTypeName, resource: { meta: { name: string; mesh: string } }): string | 'all' | undefined {
  if (type === 'Mesh') return resource.meta.name;
  if (type === 'VirtualIP' || type === 'ZoneIngress') return 'all';
  if (type === 'DataplaneInsight') return undefined;
  return resource.meta.mesh || undefined;
}
