import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { UINT32_MAX, uint32Schema } from './numbers.js';
import { FieldPath } from './path.js';
import { ONLY_SERVICE_SELECTORS, SERVICE_SELECTORS } from './selectors.js';
import { tagsSchema, validateTags } from './tags.js';
import type { Violations } from './violations.js';

const empty = z.object({}).transform((): Record<string, never> => ({}));

const loadBalancerKindsSchema = z.object({
  roundRobin: empty.optional(),
  leastRequest: z.object({ choiceCount: uint32Schema.optional() }).optional(),
  ringHash: z
    .object({
      hashFunction: z.enum(['XX_HASH', 'MURMUR_HASH_2'], { error: 'must have a valid hash function' }).optional(),
      minRingSize: uint32Schema.optional(),
      maxRingSize: uint32Schema.optional(),
    })
    .optional(),
  random: empty.optional(),
  maglev: empty.optional(),
});
type LoadBalancerKinds = z.output<typeof loadBalancerKindsSchema>;

/** Exactly one kind of load balancer. */
export type LoadBalancer = { [K in keyof LoadBalancerKinds]-?: { [P in K]: NonNullable<LoadBalancerKinds[K]> } }[keyof LoadBalancerKinds];

// The rules refuse anything but exactly one kind, so a valid value is one member of the union.
const loadBalancerSchema = loadBalancerKindsSchema.transform((lb) => lb as LoadBalancer);

const confSchema = z.object({
  split: z
    .array(
      z.object({
        weight: z
          .number({ error: (iss) => (iss.input === undefined ? 'needs to be defined' : 'must be a non-negative integer') })
          .int({ message: 'must be a non-negative integer' })
          .min(0, { message: 'must be a non-negative integer' })
          .max(UINT32_MAX, { message: `must be at most ${UINT32_MAX}` }),
        destination: tagsSchema.default({}),
      }),
    )
    .optional(),
  destination: tagsSchema.optional(),
  loadBalancer: loadBalancerSchema.optional(),
});

export const trafficRouteSchema = connectionPolicySchema(confSchema);
type ParsedConf = z.output<typeof confSchema>;

const LB_KINDS = ['roundRobin', 'leastRequest', 'ringHash', 'random', 'maglev'] as const;

function validateSplit(path: FieldPath, split: NonNullable<ParsedConf['split']>, v: Violations): void {
  if (split.length === 0) {
    v.add(path, 'must have at least one element');
    return;
  }
  let total = 0;
  split.forEach((entry, i) => {
    total += entry.weight;
    validateTags(path.index(i).field('destination'), entry.destination, v, { requireAtLeastOneTag: true, requireService: true, selector: true });
  });
  if (total === 0) v.add(path, 'there must be at least one split entry with weight above 0');
  // Envoy's weighted_clusters and gRPC's WRR sum the weights into a uint32.
  if (total > UINT32_MAX) v.add(path, `the sum of the weights must be at most ${UINT32_MAX}`);
}

function validateLoadBalancer(path: FieldPath, lb: ParsedConf['loadBalancer'], v: Violations): void {
  if (!lb) return;
  const set = LB_KINDS.filter((k) => k in lb);
  if (set.length !== 1) v.add(path, `must have exactly one of: ${LB_KINDS.join(', ')}`);
  if ('leastRequest' in lb && lb.leastRequest.choiceCount === 1) {
    v.add(path.field('leastRequest').field('choiceCount'), 'value must be greater than or equal to 2');
  }
  if ('ringHash' in lb) {
    const { hashFunction, minRingSize, maxRingSize } = lb.ringHash;
    if (hashFunction === undefined) v.add(path.field('ringHash').field('hashFunction'), 'must have a valid hash function');
    if (minRingSize !== undefined && maxRingSize !== undefined && minRingSize > maxRingSize) {
      v.add(path.field('ringHash').field('minRingSize'), 'has to be less than or equal to maxRingSize');
    }
  }
}

function validateConf(conf: ParsedConf | undefined, v: Violations): void {
  const path = FieldPath.root('conf');
  if (!conf) {
    v.add(path, 'cannot be empty');
    return;
  }
  if (conf.split === undefined && conf.destination === undefined) v.add(path, 'requires either "destination" or "split"');
  if (conf.split !== undefined && conf.destination !== undefined) v.add(path, '"split" cannot be defined at the same time as "destination"');
  if (conf.split !== undefined) validateSplit(path.field('split'), conf.split, v);
  if (conf.destination !== undefined) {
    validateTags(path.field('destination'), conf.destination, v, { requireAtLeastOneTag: true, requireService: true, selector: true });
  }
  validateLoadBalancer(path.field('loadBalancer'), conf.loadBalancer, v);
}

export const validateTrafficRoute = defineValidator(trafficRouteSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, ONLY_SERVICE_SELECTORS);
  validateConf(spec.conf, v);
});
