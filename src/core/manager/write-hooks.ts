import type { Resource, ResourceKey, ResourceTypeName, Spec } from '../resources/model.js';
import type { BatchWrite } from '../store/resource-store.js';

/**
 * Rules a subsystem adds to user writes (REST API, not KDS-synced ones) through the manager, e.g. the
 * mesh CA (src/mtls): refuse a change by throwing a typed error, or add writes that are applied in the same
 * transaction as the resource itself.
 */
export interface WriteHooks {
  /** Before a create (current undefined) or update of `type`; returns extra writes for the same transaction. */
  beforeWrite(type: ResourceTypeName, key: ResourceKey, spec: Spec, current: Resource | undefined): Promise<BatchWrite[]>;
  /** Before a delete; throws to refuse it. */
  beforeDelete(type: ResourceTypeName, key: ResourceKey): Promise<void>;
}
