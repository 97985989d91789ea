import { z } from 'zod';
import { FieldPath } from './path.js';
import { selectorsSchema, validateSelectors, type Selector, type SelectorListRules } from './selectors.js';
import type { Violations } from './violations.js';

/** `{sources, destinations, conf}` with the policy's own conf schema. */
export function connectionPolicySchema<C extends z.ZodType>(conf: C) {
  return z.object({ sources: selectorsSchema, destinations: selectorsSchema, conf: conf.optional() });
}

/** `{selectors, conf}` (TrafficTrace, ProxyTemplate). */
export function selectorPolicySchema<C extends z.ZodType>(conf: C) {
  return z.object({ selectors: selectorsSchema, conf: conf.optional() });
}

export function validateSourcesAndDestinations(
  spec: { sources: readonly Selector[]; destinations: readonly Selector[] },
  v: Violations,
  sources: SelectorListRules,
  destinations: SelectorListRules,
): void {
  validateSelectors(FieldPath.root('sources'), spec.sources, v, sources);
  validateSelectors(FieldPath.root('destinations'), spec.destinations, v, destinations);
}
