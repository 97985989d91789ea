import type { Mode } from '../config/schema.js';
import { ReadOnlyError } from '../core/errors.js';
import { describeKey, type Resource } from '../core/resources/model.js';
import { ORIGIN_LABEL } from '../core/resources/labels.js';
import type { ResourceTypeDescriptor } from '../core/resources/registry.js';

/** The `details` of a 405 (after Kuma's texts, naming this project's kumactl and what is writable where). */
export const REMOTE_READ_ONLY_MESSAGE =
  "On a zone control plane you can only modify Dataplane and ZoneIngress resources, with 'kumactl apply -f' or a PUT on this API. Modify the other resources on the global control plane, with 'kumactl apply -f' pointed at it.";
export const GLOBAL_READ_ONLY_MESSAGE =
  "On a global control plane you can not modify Dataplane resources, with 'kumactl apply -f' or this API. Modify them on their zone control plane, with 'kumactl apply -f' pointed at it.";

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
