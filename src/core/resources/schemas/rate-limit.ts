import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { durationSchema, isZeroDuration } from './durations.js';
import { booleanSchema, intSchema, stringSchema, uint32Schema } from './numbers.js';
import { FieldPath } from './path.js';
import { ANY_TAG_SELECTORS } from './selectors.js';
import type { Violations } from './violations.js';

const confSchema = z.object({
  http: z
    .object({
      requests: uint32Schema.optional(),
      interval: durationSchema.optional(),
      onRateLimit: z
        .object({
          status: intSchema.optional(),
          headers: z.array(z.object({ key: stringSchema.default(''), value: stringSchema.default(''), append: booleanSchema.optional() })).optional(),
        })
        .optional(),
    })
    .optional(),
});

export const rateLimitSchema = connectionPolicySchema(confSchema);
type Http = NonNullable<z.output<typeof confSchema>['http']>;

function validateHttp(path: FieldPath, http: Http, v: Violations): void {
  if (http.requests === undefined) v.add(path.field('requests'), 'requests must be set');
  else if (http.requests === 0) v.add(path.field('requests'), 'has to be greater than 0');
  if (http.interval === undefined || isZeroDuration(http.interval)) v.add(path.field('interval'), 'must have a positive value');
  const on = http.onRateLimit;
  if (!on) return;
  if (on.status !== undefined && (on.status < 100 || on.status > 599)) v.add(path.field('onRateLimit').field('status'), 'http status code is incorrect');
  (on.headers ?? []).forEach((h, i) => {
    const p = path.field('onRateLimit').field('headers').index(i);
    if (h.key === '') v.add(p.field('key'), 'key must be set');
    if (h.value === '') v.add(p.field('value'), 'value must be set');
  });
}

export const validateRateLimit = defineValidator(rateLimitSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, ANY_TAG_SELECTORS, ANY_TAG_SELECTORS);
  const path = FieldPath.root('conf');
  if (!spec.conf) v.add(path, 'must have conf');
  else if (!spec.conf.http) v.add(path.field('http'), 'has to be defined');
  else validateHttp(path.field('http'), spec.conf.http, v);
});
