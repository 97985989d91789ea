import type { Mode } from '../config/schema.js';
import { ReadOnlyError } from '../core/errors.js';
import { describeKey, type Resource } from '../core/resources/model.js';
import { ORIGIN_LABEL } from '../core/resources/labels.js';
import type { ResourceTypeDescriptor } from '../core/resources/registry.js';

/** Kuma 1.1's texts (go-restful WriteErrorString, plain text, 405). The remote one ends with a newline. */
export const REMOTE_READ_ONLY_MESSAGE =
  "On remote control plane you can only modify dataplane resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify the rest of the resource on the global control plane.\n";
export const GLOBAL_READ_ONLY_MESSAGE =
  "On global control plane you can not modify dataplane resources with 'kumactl apply' or via the HTTP API. You can still use 'kumactl' or the HTTP API to modify them on the remote control plane.";

export { ORIGIN_LABEL };

/**
 * Whether the API may write (PUT/DELETE) resources of this type in this mode; throws ReadOnlyError if not.
 * - remote: only Dataplanes and ZoneIngresses, the zone's own proxies (everything else comes from the global;
 *   other zones' ingresses synced here stay read-only through `assertResourceWritable`);
 * - global: everything but Dataplanes (they come from the zones);
 * - types the control plane writes itself (insights, VIPs) never.
 */
export function assertTypeWritable(mode: Mode, descriptor: ResourceTypeDescriptor): void {
  if (mode === 'remote' && descriptor.name !== 'Dataplane' && descriptor.name !== 'ZoneIngress') throw new ReadOnlyError(REMOTE_READ_ONLY_MESSAGE);
  if (mode === 'global' && descriptor.name === 'Dataplane') throw new ReadOnlyError(GLOBAL_READ_ONLY_MESSAGE);
  if (descriptor.readOnlyOnApi) {
    throw new ReadOnlyError(`${descriptor.name} resources are managed by the control plane itself and are read-only on the HTTP API.`);
  }
}

/** A resource synced by KDS from the other side (label kuma.io/origin) may be changed only where it came from. */
export function assertResourceWritable(existing: Resource | undefined): void {
  const origin = existing?.meta.labels?.[ORIGIN_LABEL];
  if (!existing || origin === undefined) return;
  throw new ReadOnlyError(
    `${describeKey(existing.type, existing.meta)} is synced from the ${origin} control plane (label ${ORIGIN_LABEL}). You can not modify it with 'kumactl apply' or via the HTTP API here; modify it where it originates.`,
  );
}
