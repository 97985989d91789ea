import { z } from 'zod';
import { BASE64_MESSAGE, isBase64 } from './base64.js';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { durationSchema, isZeroDuration } from './durations.js';
import { booleanSchema, intSchema, numberSchema, stringSchema, uint32Schema } from './numbers.js';
import { FieldPath } from './path.js';
import { ONLY_SERVICE_SELECTORS, SERVICE_SELECTORS } from './selectors.js';
import type { Violations } from './violations.js';

const base64Schema = stringSchema.refine(isBase64, { message: BASE64_MESSAGE });

const confSchema = z.object({
  interval: durationSchema.optional(),
  timeout: durationSchema.optional(),
  unhealthyThreshold: uint32Schema.optional(),
  healthyThreshold: uint32Schema.optional(),
  initialJitter: durationSchema.optional(),
  intervalJitter: durationSchema.optional(),
  intervalJitterPercent: uint32Schema.optional(),
  healthyPanicThreshold: numberSchema.optional(),
  failTrafficOnPanic: booleanSchema.optional(),
  eventLogPath: stringSchema.optional(),
  alwaysLogHealthCheckFailures: booleanSchema.optional(),
  noTrafficInterval: durationSchema.optional(),
  reuseConnection: booleanSchema.optional(),
  /** Payloads are protobuf BytesValue: base64 in JSON. */
  tcp: z.object({ send: base64Schema.optional(), receive: z.array(base64Schema).optional() }).optional(),
  http: z
    .object({
      path: stringSchema.optional(),
      requestHeadersToAdd: z
        .array(z.object({ header: z.object({ key: stringSchema.default(''), value: stringSchema.optional() }).optional(), append: booleanSchema.optional() }))
        .optional(),
      expectedStatuses: z.array(intSchema).optional(),
    })
    .optional(),
});

export const healthCheckSchema = connectionPolicySchema(confSchema);
type Conf = z.output<typeof confSchema>;

const POSITIVE = 'must have a positive value';

function validatePositiveDuration(path: FieldPath, d: string | undefined, v: Violations): void {
  if (d === undefined || isZeroDuration(d)) v.add(path, POSITIVE);
}

function validateHttp(path: FieldPath, http: NonNullable<Conf['http']>, v: Violations): void {
  if (!http.path) v.add(path.field('path'), 'has to be defined and cannot be empty');
  (http.expectedStatuses ?? []).forEach((status, i) => {
    if (status < 100 || status >= 600) v.add(path.field('expectedStatuses').index(i), 'must be in range [100, 600)');
  });
  (http.requestHeadersToAdd ?? []).forEach((h, i) => {
    const p = path.field('requestHeadersToAdd').index(i).field('header');
    if (!h.header) v.add(p, 'has to be defined');
    else if (h.header.key === '') v.add(p.field('key'), 'cannot be empty');
  });
}

function validateConf(conf: Conf | undefined, v: Violations): void {
  const path = FieldPath.root('conf');
  if (!conf) {
    v.add(path, 'has to be defined');
    return;
  }
  validatePositiveDuration(path.field('interval'), conf.interval, v);
  validatePositiveDuration(path.field('timeout'), conf.timeout, v);
  if (!conf.unhealthyThreshold) v.add(path.field('unhealthyThreshold'), POSITIVE);
  if (!conf.healthyThreshold) v.add(path.field('healthyThreshold'), POSITIVE);
  for (const f of ['initialJitter', 'intervalJitter', 'noTrafficInterval'] as const) {
    if (conf[f] !== undefined) validatePositiveDuration(path.field(f), conf[f], v);
  }
  const panic = conf.healthyPanicThreshold;
  if (panic !== undefined && (panic < 0 || panic > 100)) v.add(path.field('healthyPanicThreshold'), 'must be in range [0.0 - 100.0]');
  if (conf.http) validateHttp(path.field('http'), conf.http, v);
  if (conf.tcp && conf.http) v.add(path, 'http and tcp cannot be defined at the same time');
}

export const validateHealthCheck = defineValidator(healthCheckSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, ONLY_SERVICE_SELECTORS);
  validateConf(spec.conf, v);
});
