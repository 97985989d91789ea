import { z } from 'zod';
import type { FieldPath } from './path.js';
import { tagsSchema, validateTags, type TagRules } from './tags.js';
import type { Violations } from './violations.js';

export const selectorSchema = z.object({ match: tagsSchema.default({}) });
export type Selector = z.output<typeof selectorSchema>;

/** A list of selectors; absent means empty, which the rules refuse where Kuma requires one. */
export const selectorsSchema = z.array(selectorSchema, { error: 'must be an array' }).default([]);

export interface SelectorListRules extends TagRules {
  requireAtLeastOneSelector?: boolean;
}

export function validateSelectors(path: FieldPath, selectors: readonly Selector[], v: Violations, rules: SelectorListRules): void {
  if (rules.requireAtLeastOneSelector && selectors.length === 0) v.add(path, 'must have at least one element');
  selectors.forEach((s, i) => validateTags(path.index(i).field('match'), s.match, v, { ...rules, selector: true }));
}

/** Sources of most connection policies (and selectors of TrafficTrace / ProxyTemplate). */
export const SERVICE_SELECTORS: Readonly<SelectorListRules> = { requireAtLeastOneSelector: true, requireAtLeastOneTag: true, requireService: true };

/** Destinations of TrafficRoute, HealthCheck, CircuitBreaker, Retry, Timeout. */
export const ONLY_SERVICE_SELECTORS: Readonly<SelectorListRules> = { requireAtLeastOneSelector: true, requireService: true, onlyService: true };

/** Selectors that need at least one tag but not necessarily a service (RateLimit). */
export const ANY_TAG_SELECTORS: Readonly<SelectorListRules> = { requireAtLeastOneSelector: true, requireAtLeastOneTag: true };
