import type { EnvoyObject } from '../envoy/encode.js';
import type { EncodedResource, TypeUrl } from '../resource.js';

/**
 * Builds and encodes a resource once per distinct (type, name, parameters) and hands every caller the same
 * encoded object (MeshSnapshot implements it). Builders that only need the memo take this, not the snapshot.
 */
export interface ResourceMemo {
  resource<P>(typeUrl: TypeUrl, name: string, params: P, build: (params: P, name: string) => EnvoyObject): EncodedResource;
}
