import type { Resource, ResourceKey } from '../core/resources/model.js';
import { encodedResourceSize, type WireResource } from './kds-proto.js';
import { exportedLabels, type Direction } from './labels.js';
import { resourceVersion } from './resource-version.js';

/** A local resource as it is offered to the peer, with its KDS version and encoded size computed once. */
export interface ExportedResource<R extends Resource = Resource> {
  readonly key: string;
  readonly resource: R;
  readonly version: string;
  readonly wire: WireResource;
  /** Encoded size of `wire` in bytes. */
  readonly size: number;
}

/** Map key of a resource within one type: `mesh/name` ('' mesh for global scope). */
export function keyString(key: ResourceKey): string {
  return `${key.mesh}/${key.name}`;
}

export function toExported<R extends Resource>(resource: R, direction: Direction): ExportedResource<R> {
  const labels = exportedLabels(resource.meta.labels, direction);
  const version = resourceVersion(resource.spec, labels);
  const wire: WireResource = {
    meta: {
      name: resource.meta.name,
      mesh: resource.meta.mesh,
      version,
      labels,
      creationTime: resource.meta.creationTime,
      modificationTime: resource.meta.modificationTime,
    },
    spec: JSON.stringify(resource.spec),
  };
  return { key: keyString(resource.meta), resource, version, wire, size: encodedResourceSize(wire) };
}
