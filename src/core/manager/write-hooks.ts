import type { Resource, ResourceKey, ResourceTypeName, Spec } from '../resources/model.js';
import type { BatchWrite } from '../store/resource-store.js';

/**
 * Rules a subsystem adds to user writes (REST API, not KDS-synced ones) through the manager, e.g. the
 * mesh CA (src/mtls): refuse a change by throwing a typed error (`checkWrite`, `checkDelete`: no side
 * effects, a dry-run runs them too), or add writes applied in the same transaction as the resource itself
 * (`extraWrites`: only for a real write).
 */
export interface WriteHooks {
  /** Before a create (current undefined) or update of `type`: throws to refuse it. */
  checkWrite(type: ResourceTypeName, key: ResourceKey, spec: Spec, current: Resource | undefined): Promise<void>;
  /** After `checkWrite` passed, for a real write: extra writes for the same transaction. */
  extraWrites(type: ResourceTypeName, key: ResourceKey, spec: Spec): Promise<BatchWrite[]>;
  /** Before a delete: throws to refuse it. */
  checkDelete(type: ResourceTypeName, key: ResourceKey): Promise<void>;
}
