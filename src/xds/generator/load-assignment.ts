import { SERVICE_TAG, type Tags } from '../../core/resources/specs.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { clusterLoadAssignment, type LocalityGroup } from '../envoy/endpoints.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import type { MeshSnapshot, ServiceEndpoint } from './mesh-snapshot.js';
import { selectorRank } from './policy-match.js';

interface LoadAssignmentParams {
  readonly service: string;
  readonly subset: Tags | null;
  /** The service's healthy endpoints (the snapshot's list: its canonical text is computed once per snapshot). */
  readonly endpoints: readonly ServiceEndpoint[];
  readonly localityAware: boolean;
  readonly localZone: string;
  /** This zone's endpoints only (a zone ingress routes to local instances, never to another ingress). */
  readonly localOnly: boolean;
  /** mTLS on: endpoints also carry `envoy.transport_socket_match` metadata (the cluster picks its subset's SNI). */
  readonly socketMatch: boolean;
}

/**
 * The ClusterLoadAssignment `clusterName` for the healthy endpoints of `service` (only those whose tags
 * match `subset`, for proxyless subset clusters), grouped by zone. With locality-aware load balancing on,
 * other zones get priority 1. `localOnly`: this zone's endpoints only (a zone ingress). Shared by every proxy of the mesh.
 */
export function loadAssignment(snap: MeshSnapshot, clusterName: string, service: string, subset?: Tags, localOnly = false): EncodedResource {
  const params: LoadAssignmentParams = {
    service,
    subset: subset ?? null,
    endpoints: snap.endpoints.get(service) ?? NO_ENDPOINTS,
    localityAware: snap.meshSpec.routing?.localityAwareLoadBalancing === true,
    localZone: snap.localZone ?? '',
    localOnly,
    socketMatch: snap.mtls !== undefined,
  };
  return snap.resource(TYPE_URLS.clusterLoadAssignment, clusterName, params, buildLoadAssignment);
}

const NO_ENDPOINTS: readonly ServiceEndpoint[] = [];

function buildLoadAssignment(p: LoadAssignmentParams, clusterName: string): EnvoyObject {
  const endpoints = p.endpoints.filter((e) => (!p.subset || selectorRank(p.subset, e.tags)) && (!p.localOnly || e.zone === p.localZone));
  return clusterLoadAssignment(clusterName, localityGroups(p, endpoints));
}

function localityGroups(p: LoadAssignmentParams, endpoints: readonly ServiceEndpoint[]): LocalityGroup[] {
  const groups = new Map<string, ServiceEndpoint[]>();
  for (const e of endpoints) {
    const list = groups.get(e.zone);
    if (list) list.push(e);
    else groups.set(e.zone, [e]);
  }
  // Priorities must be contiguous from 0 (gRPC NACKs sparse ones): remote-only services stay at 0.
  const remoteOnly = ![...groups.keys()].includes(p.localZone);
  return [...groups].map(([zone, list]) => ({
    zone,
    priority: p.localityAware && !remoteOnly && zone !== p.localZone ? 1 : 0,
    endpoints: list.map((e) => ({ address: e.address, port: e.port, weight: e.weight, tags: withoutService(e.tags), socketMatch: p.socketMatch })),
  }));
}

function withoutService(tags: Tags): Tags {
  const { [SERVICE_TAG]: _service, ...rest } = tags;
  return rest;
}
