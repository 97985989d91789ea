import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { durationSchema } from './durations.js';
import { booleanSchema, uint32Schema } from './numbers.js';
import { FieldPath } from './path.js';
import { ONLY_SERVICE_SELECTORS, SERVICE_SELECTORS } from './selectors.js';
import type { Violations } from './violations.js';

const consecutive = z.object({ consecutive: uint32Schema.optional() });
const volume = { requestVolume: uint32Schema.optional(), minimumHosts: uint32Schema.optional() } as const;

const detectorsSchema = z.object({
  totalErrors: consecutive.optional(),
  gatewayErrors: consecutive.optional(),
  localErrors: consecutive.optional(),
  standardDeviation: z.object({ ...volume, factor: z.number({ error: 'must be a number' }).optional() }).optional(),
  failure: z.object({ ...volume, threshold: uint32Schema.optional() }).optional(),
});

const thresholdsSchema = z.object({
  maxConnections: uint32Schema.optional(),
  maxPendingRequests: uint32Schema.optional(),
  maxRetries: uint32Schema.optional(),
  maxRequests: uint32Schema.optional(),
});

const confSchema = z.object({
  interval: durationSchema.optional(),
  baseEjectionTime: durationSchema.optional(),
  maxEjectionPercent: uint32Schema.optional(),
  splitExternalAndLocalErrors: booleanSchema.optional(),
  detectors: detectorsSchema.optional(),
  thresholds: thresholdsSchema.optional(),
});

export const circuitBreakerSchema = connectionPolicySchema(confSchema);
type Conf = z.output<typeof confSchema>;

const PERCENT = 'has to be in [0.0 - 100.0] range';

function validateConf(conf: Conf | undefined, v: Violations): void {
  const path = FieldPath.root('conf');
  const hasDetectors = Object.keys(conf?.detectors ?? {}).length > 0;
  const hasThresholds = Object.keys(conf?.thresholds ?? {}).length > 0;
  if (!conf || (!hasDetectors && !hasThresholds)) {
    v.add(path, 'must have at least one of the detector or threshold configured');
    return;
  }
  if (conf.detectors && !hasDetectors) v.add(path.field('detectors'), "can't be empty");
  if (conf.thresholds && !hasThresholds) v.add(path.field('thresholds'), "can't be empty");
  if (conf.maxEjectionPercent !== undefined && conf.maxEjectionPercent > 100) v.add(path.field('maxEjectionPercent'), PERCENT);
  const threshold = conf.detectors?.failure?.threshold;
  if (threshold !== undefined && threshold > 100) v.add(path.field('detectors').field('failure').field('threshold'), PERCENT);
}

export const validateCircuitBreaker = defineValidator(circuitBreakerSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, ONLY_SERVICE_SELECTORS);
  validateConf(spec.conf, v);
});
