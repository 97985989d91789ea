import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import type { EncodedResource } from '../resource.js';

/** Everything of one mesh the generators read; built by the xDS reconciler from the store. */
export interface MeshInputs {
  mesh: Resource;
  dataplanes: Resource[];
  policies: ReadonlyMap<ResourceTypeName, Resource[]>;
  externalServices: Resource[];
  zoneIngresses: Resource[];
  /** service -> VIP */
  vips: ReadonlyMap<string, string>;
  localZone?: string;
}

/** Opaque, immutable per-mesh state shared by every proxy of the mesh (memoised encoded resources). */
export interface MeshSnapshot {
  readonly mesh: string;
}

/** Pure: build once per mesh change. */
export function buildMeshSnapshot(inputs: MeshInputs): MeshSnapshot {
  throw new Error(`generator not wired yet (mesh ${inputs.mesh.meta.name})`);
}

/** The full resource set for one Envoy sidecar/gateway of the mesh. */
export function generateSidecar(snap: MeshSnapshot, dataplaneName: string): EncodedResource[] {
  throw new Error(`generator not wired yet (${snap.mesh}.${dataplaneName})`);
}

/** The catalog shared by all proxyless gRPC clients of the mesh. */
export function generateProxyless(snap: MeshSnapshot): EncodedResource[] {
  throw new Error(`generator not wired yet (${snap.mesh})`);
}
