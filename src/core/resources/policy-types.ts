import type { ResourceTypeName } from './model.js';
import { resourceTypes } from './registry.js';

/** Mesh-scoped types that are not policies (read separately by whoever needs them). */
const NOT_POLICIES: ReadonlySet<ResourceTypeName> = new Set(['Dataplane', 'ExternalService', 'DataplaneInsight', 'Secret']);

/** Every policy type (TrafficRoute, Timeout...), in registry order. */
export const POLICY_TYPES: readonly ResourceTypeName[] = resourceTypes.filter((t) => t.scope === 'mesh' && !NOT_POLICIES.has(t.name)).map((t) => t.name);
