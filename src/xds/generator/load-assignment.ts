import { SERVICE_TAG, type Tags } from '../../core/resources/specs.js';
import { contentVersion } from '../envoy/encode.js';
import { clusterLoadAssignment, type LocalityGroup } from '../envoy/endpoints.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { MeshSnapshot, ServiceEndpoint } from './mesh-snapshot.js';
import { selectorRank } from './policy-match.js';

/**
 * The ClusterLoadAssignment `clusterName` for the healthy endpoints of `service` (only those whose tags
 * match `subset`, for proxyless subset clusters), grouped by zone. With locality-aware load balancing on,
 * other zones get priority 1. `localOnly`: this zone's endpoints only (a zone ingress). Shared by every proxy of the mesh.
 */
export function loadAssignment(snap: MeshSnapshot, clusterName: string, service: string, subset?: Tags, localOnly = false): EncodedResource {
  const key = `${JSON.stringify([service, subset ?? null, localOnly])}\n${endpointsDigest(snap, service)}`;
  return snap.resource(TYPE_URLS.clusterLoadAssignment, clusterName, key, () => {
    const endpoints = (snap.endpoints.get(service) ?? []).filter((e) => (!subset || selectorRank(subset, e.tags)) && (!localOnly || e.zone === (snap.localZone ?? '')));
    return clusterLoadAssignment(clusterName, localityGroups(snap, endpoints));
  });
}

/**
 * Digest of everything of the snapshot a load assignment of `service` depends on (its endpoints, locality
 * settings), once per service and snapshot: part of the resource key, which must hold across snapshots.
 */
function endpointsDigest(snap: MeshSnapshot, service: string): string {
  return snap.derived(`endpoints\n${service}`, () =>
    contentVersion(
      Buffer.from(JSON.stringify([snap.meshSpec.routing?.localityAwareLoadBalancing === true, snap.localZone ?? '', snap.mtls !== undefined, snap.endpoints.get(service) ?? []])),
    ),
  );
}

function localityGroups(snap: MeshSnapshot, endpoints: readonly ServiceEndpoint[]): LocalityGroup[] {
  const localityAware = snap.meshSpec.routing?.localityAwareLoadBalancing === true;
  const localZone = snap.localZone ?? '';
  const groups = new Map<string, ServiceEndpoint[]>();
  for (const e of endpoints) {
    const list = groups.get(e.zone);
    if (list) list.push(e);
    else groups.set(e.zone, [e]);
  }
  // Priorities must be contiguous from 0 (gRPC NACKs sparse ones): remote-only services stay at 0.
  const remoteOnly = ![...groups.keys()].includes(localZone);
  const socketMatch = snap.mtls !== undefined;
  return [...groups].map(([zone, list]) => ({
    zone,
    priority: localityAware && !remoteOnly && zone !== localZone ? 1 : 0,
    endpoints: list.map((e) => ({ address: e.address, port: e.port, weight: e.weight, tags: withoutService(e.tags), socketMatch })),
  }));
}

function withoutService(tags: Tags): Tags {
  const { [SERVICE_TAG]: _service, ...rest } = tags;
  return rest;
}
