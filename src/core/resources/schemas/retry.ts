import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { durationSchema, isZeroDuration } from './durations.js';
import { intSchema, uint32Schema } from './numbers.js';
import { FieldPath } from './path.js';
import { ONLY_SERVICE_SELECTORS, SERVICE_SELECTORS } from './selectors.js';
import type { Violations } from './violations.js';

export const GRPC_RETRY_ON = ['cancelled', 'deadline_exceeded', 'internal', 'resource_exhausted', 'unavailable'] as const;

const backOffSchema = z.object({ baseInterval: durationSchema.optional(), maxInterval: durationSchema.optional() });

const confSchema = z.object({
  http: z
    .object({
      numRetries: uint32Schema.optional(),
      perTryTimeout: durationSchema.optional(),
      backOff: backOffSchema.optional(),
      retriableStatusCodes: z.array(intSchema).optional(),
    })
    .optional(),
  tcp: z.object({ maxConnectAttempts: uint32Schema.optional() }).optional(),
  grpc: z
    .object({
      retryOn: z.array(z.enum(GRPC_RETRY_ON, { error: `has invalid value. Allowed values: ${GRPC_RETRY_ON.join(', ')}` })).optional(),
      numRetries: uint32Schema.optional(),
      perTryTimeout: durationSchema.optional(),
      backOff: backOffSchema.optional(),
    })
    .optional(),
});

export const retrySchema = connectionPolicySchema(confSchema);
export type RetryBackOff = NonNullable<NonNullable<NonNullable<z.output<typeof retrySchema>['conf']>['http']>['backOff']>;
type Conf = z.output<typeof confSchema>;

const GREATER_THAN_0 = 'has to be greater than 0';
const WHEN_DEFINED = 'has to be greater than 0 when defined';

function validateBackOff(path: FieldPath, backOff: RetryBackOff | undefined, v: Violations): void {
  if (!backOff) return;
  if (backOff.baseInterval === undefined) v.add(path.field('baseInterval'), 'has to be defined');
  else if (isZeroDuration(backOff.baseInterval)) v.add(path.field('baseInterval'), GREATER_THAN_0);
  else if (backOff.maxInterval !== undefined && isZeroDuration(backOff.maxInterval)) v.add(path.field('maxInterval'), WHEN_DEFINED);
}

/** Shared by http and grpc: a section must set something, and what it sets must be positive. */
function validateRetrySection(
  path: FieldPath,
  section: { numRetries?: number; perTryTimeout?: string; backOff?: RetryBackOff },
  v: Violations,
): void {
  if (Object.keys(section).length === 0) v.add(path, 'field cannot be empty');
  if (section.numRetries === 0) v.add(path.field('numRetries'), WHEN_DEFINED);
  if (section.perTryTimeout !== undefined && isZeroDuration(section.perTryTimeout)) v.add(path.field('perTryTimeout'), WHEN_DEFINED);
  validateBackOff(path.field('backOff'), section.backOff, v);
}

function validateGrpcRetryOn(path: FieldPath, retryOn: readonly string[], v: Violations): void {
  const seen = new Map<string, number[]>();
  retryOn.forEach((value, i) => seen.set(value, [...(seen.get(value) ?? []), i]));
  const repeated = [...seen].filter(([, idx]) => idx.length > 1).map(([value, idx]) => `repeated value ${JSON.stringify(value)} at indexes [${idx.join(', ')}]`);
  for (const message of repeated.sort()) v.add(path, message);
}

function validateConf(conf: Conf | undefined, v: Violations): void {
  const path = FieldPath.root('conf');
  if (!conf) {
    v.add(path, 'has to be defined');
    return;
  }
  if (!conf.http && !conf.grpc && !conf.tcp) {
    v.add(path, 'missing protocol [grpc|http|tcp] configuration');
    return;
  }
  if (conf.http) {
    validateRetrySection(path.field('http'), conf.http, v);
    (conf.http.retriableStatusCodes ?? []).forEach((code, i) => {
      if (code < 100 || code > 599) v.add(path.field('http').field('retriableStatusCodes').index(i), 'must be in range [100, 599]');
    });
  }
  if (conf.grpc) {
    validateRetrySection(path.field('grpc'), conf.grpc, v);
    validateGrpcRetryOn(path.field('grpc').field('retryOn'), conf.grpc.retryOn ?? [], v);
  }
  if (conf.tcp && !conf.tcp.maxConnectAttempts) v.add(path.field('tcp').field('maxConnectAttempts'), GREATER_THAN_0);
}

export const validateRetry = defineValidator(retrySchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, ONLY_SERVICE_SELECTORS);
  validateConf(spec.conf, v);
});
