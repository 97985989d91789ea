import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { durationMillis, durationSchema, isZeroDuration } from './durations.js';
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

/**
 * The statuses Envoy's local rate limit can answer with (type.v3.StatusCode; any other value is NACKed).
 * rate-limit.test.ts checks the list against the Envoy proto.
 */
export const ENVOY_HTTP_STATUSES: ReadonlySet<number> = new Set([
  100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410,
  411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 426, 428, 429, 431, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** Envoy refuses a local rate limit token bucket refilled more often than every 50 ms. */
const MIN_INTERVAL_MS = 50;
/** LocalRateLimit.response_headers_to_add: at most 10. */
const MAX_HEADERS = 10;

function validateHttp(path: FieldPath, http: Http, v: Violations): void {
  if (http.requests === undefined) v.add(path.field('requests'), 'requests must be set');
  else if (http.requests === 0) v.add(path.field('requests'), 'has to be greater than 0');
  if (http.interval === undefined || isZeroDuration(http.interval)) v.add(path.field('interval'), 'must have a positive value');
  else if ((durationMillis(http.interval) ?? 0) < MIN_INTERVAL_MS) v.add(path.field('interval'), `has to be at least ${MIN_INTERVAL_MS}ms`);
  const on = http.onRateLimit;
  if (!on) return;
  if (on.status !== undefined && !ENVOY_HTTP_STATUSES.has(on.status)) v.add(path.field('onRateLimit').field('status'), 'http status code is incorrect');
  if ((on.headers ?? []).length > MAX_HEADERS) v.add(path.field('onRateLimit').field('headers'), `must have at most ${MAX_HEADERS} headers`);
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
