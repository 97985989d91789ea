import type { Logger } from '../../core/logging.js';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { policyTypes } from '../../core/resources/registry.js';
import { SERVICE_TAG, type AvailableService, type DataplaneSpec, type ExternalServiceSpec, type ZoneIngressSpec } from '../../core/resources/specs.js';
import type { StoreView } from '../../core/view/store-view.js';
import { withPolicies, type MeshInputs, type PolicyInputs } from '../generator/index.js';

export const POLICY_TYPES: readonly ResourceTypeName[] = policyTypes;

/** Everything the generators read for one mesh, from the store view; undefined if the mesh does not exist. */
export function loadMeshInputs(view: StoreView, mesh: string, localZone: string | undefined, log?: Logger): MeshInputs | undefined {
  const meshResource = view.find('Mesh', { name: mesh, mesh: '' });
  if (!meshResource) return undefined;
  const dataplanes = view.list('Dataplane', { mesh });
  const externalServices = view.list('ExternalService', { mesh });
  const secrets = view.list('Secret', { mesh });
  const zoneIngresses = view.list('ZoneIngress');
  const vipRows = view.list('VirtualIP');
  const policies = POLICY_TYPES.reduce<PolicyInputs>((out, t) => withPolicies(out, t, view.list(t, { mesh })), {});
  // VIPs are global (one per service across meshes); a sidecar gets outbounds only for its own mesh's services.
  const offered = meshServices(mesh, dataplanes, externalServices, zoneIngresses);
  const vips = new Map<string, string>();
  for (const row of vipRows) {
    const { service, ip } = row.spec;
    if (service && offered.has(service)) vips.set(service, ip);
  }
  const inputs: MeshInputs = { mesh: meshResource, dataplanes, policies, externalServices, secrets, zoneIngresses, vips };
  if (localZone) inputs.localZone = localZone;
  if (log) inputs.log = log;
  return inputs;
}

/** `kuma.io/service` names of `mesh`: its Dataplanes' inbounds, its ExternalServices, and what ingresses offer in it. */
function meshServices(
  mesh: string,
  dataplanes: readonly Resource<DataplaneSpec>[],
  externalServices: readonly Resource<ExternalServiceSpec>[],
  zoneIngresses: readonly Resource<ZoneIngressSpec>[],
): Set<string> {
  const out = new Set<string>();
  const add = (tags: Record<string, string> | undefined): void => {
    const service = tags?.[SERVICE_TAG];
    if (service) out.add(service);
  };
  const addAvailable = (list: readonly AvailableService[] | undefined, defaultMesh: string): void => {
    for (const a of list ?? []) if ((a.mesh ?? defaultMesh) === mesh) add(a.tags);
  };
  for (const dp of dataplanes) {
    const net = dp.spec.networking;
    for (const inbound of net.inbound ?? []) add(inbound.tags);
    addAvailable(net.ingress?.availableServices, mesh);
  }
  for (const es of externalServices) add(es.spec.tags);
  for (const zi of zoneIngresses) addAvailable(zi.spec.availableServices, '');
  return out;
}

/** Every mesh: a symbol, so that no mesh name (a mesh may be called "all") can be mistaken for it. */
export const ALL_MESHES: unique symbol = Symbol('all meshes');

/** Meshes whose generated config a store change can affect; ALL_MESHES for cross-mesh types (VIPs, ingresses). */
export function affectedMeshes(type: ResourceTypeName, resource: { meta: { name: string; mesh: string } }): string | typeof ALL_MESHES | undefined {
  if (type === 'Mesh') return resource.meta.name;
  if (type === 'VirtualIP' || type === 'ZoneIngress') return ALL_MESHES;
  if (type === 'DataplaneInsight') return undefined;
  return resource.meta.mesh || undefined;
}
