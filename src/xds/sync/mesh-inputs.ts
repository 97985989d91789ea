import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { resourceTypes } from '../../core/resources/registry.js';
import { SERVICE_TAG, type AvailableService, type DataplaneSpec, type ExternalServiceSpec, type VirtualIPSpec, type ZoneIngressSpec } from '../../core/resources/specs.js';
import type { StoreView } from '../../core/view/store-view.js';
import type { MeshInputs } from '../generator/index.js';

/** Mesh-scoped types that are not policies (read separately or not at all by the generators). */
const NOT_POLICIES: ReadonlySet<ResourceTypeName> = new Set(['Dataplane', 'ExternalService', 'DataplaneInsight', 'Secret']);

export const POLICY_TYPES: readonly ResourceTypeName[] = resourceTypes.filter((t) => t.scope === 'mesh' && !NOT_POLICIES.has(t.name)).map((t) => t.name);

/** Everything the generators read for one mesh, from the store view; undefined if the mesh does not exist. */
export function loadMeshInputs(view: StoreView, mesh: string, localZone: string | undefined): MeshInputs | undefined {
  const meshResource = view.find('Mesh', { name: mesh, mesh: '' });
  if (!meshResource) return undefined;
  const dataplanes = view.list('Dataplane', { mesh });
  const externalServices = view.list('ExternalService', { mesh });
  const secrets = view.list('Secret', { mesh });
  const zoneIngresses = view.list('ZoneIngress');
  const vipRows = view.list('VirtualIP');
  const policyLists = POLICY_TYPES.map((t) => view.list(t, { mesh }));
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
