import type { Resource, ResourceTypeName } from '../resources/model.js';
import type { ResourceOf } from '../resources/typed-resource.js';

/** Where a matched policy takes effect on a data plane. */
export interface PolicyAttachment {
  readonly kind: 'dataplane' | 'inbound' | 'outbound';
  /** `inbound:<ip>:<port>`, `outbound:<service>` or the data plane's name. */
  readonly name: string;
  readonly service: string;
}

export interface MatchedPolicy {
  readonly type: ResourceTypeName;
  readonly name: string;
  readonly attachments: readonly PolicyAttachment[];
  /** Which selectors matched, e.g. `from kuma.io/service=* to kuma.io/service=backend`. */
  readonly reason: string;
  /** Set when the policy selects the data plane but cannot act on it (e.g. a RateLimit on a TCP inbound): why. */
  readonly noEffect?: string;
}

/** The policies of a mesh (by type) and the services its data planes can reach. */
export interface PolicyContext {
  readonly policies: ReadonlyMap<ResourceTypeName, readonly Resource[]>;
  readonly services: readonly string[];
}

/**
 * Kuma's policy matching for one data plane: for every inbound, outbound and the data plane itself, the
 * one winning policy per type. Implemented next to the generators (src/xds/inspect) so that the answer
 * is the same ranking the generated config uses.
 */
export type PolicyMatcher = (dataplane: ResourceOf<'Dataplane'>, context: PolicyContext) => MatchedPolicy[];
