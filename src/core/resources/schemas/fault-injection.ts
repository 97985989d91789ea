import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { durationSchema, isZeroDuration } from './durations.js';
import { intSchema, numberSchema, stringSchema } from './numbers.js';
import { FieldPath } from './path.js';
import { SERVICE_SELECTORS, type SelectorListRules } from './selectors.js';
import type { Violations } from './violations.js';

const confSchema = z.object({
  delay: z.object({ percentage: numberSchema.optional(), value: durationSchema.optional() }).optional(),
  abort: z.object({ percentage: numberSchema.optional(), httpStatus: intSchema.optional() }).optional(),
  responseBandwidth: z.object({ percentage: numberSchema.optional(), limit: stringSchema.optional() }).optional(),
});

export const faultInjectionSchema = connectionPolicySchema(confSchema);
type Conf = z.output<typeof confSchema>;

/** Faults are HTTP filters: destinations must say which HTTP-ish protocol they speak. */
const DESTINATIONS: Readonly<SelectorListRules> = { ...SERVICE_SELECTORS, protocols: ['http', 'http2', 'grpc'] };

const BANDWIDTH = /^\d+\s?[kmg]bps$/;

function validatePercentage(path: FieldPath, p: number | undefined, v: Violations): void {
  if (p === undefined) v.add(path, 'cannot be empty');
  else if (p < 0 || p > 100) v.add(path, 'has to be in [0.0 - 100.0] range');
}

function present<T extends object>(o: T | undefined): o is T {
  return o !== undefined && Object.keys(o).length > 0;
}

function validateConf(conf: Conf | undefined, v: Violations): void {
  const path = FieldPath.root('conf');
  const { delay, abort, responseBandwidth } = conf ?? {};
  if (!present(delay) && !present(abort) && !present(responseBandwidth)) {
    v.add(path, 'must have at least one of the faults configured');
    return;
  }
  if (present(delay)) {
    validatePercentage(path.field('delay').field('percentage'), delay.percentage, v);
    if (delay.value === undefined) v.add(path.field('delay').field('value'), 'cannot be empty');
    else if (isZeroDuration(delay.value)) v.add(path.field('delay').field('value'), 'has to be greater than 0');
  }
  if (present(abort)) {
    validatePercentage(path.field('abort').field('percentage'), abort.percentage, v);
    const status = abort.httpStatus;
    if (status === undefined) v.add(path.field('abort').field('httpStatus'), 'cannot be empty');
    else if (status < 100 || status > 599) v.add(path.field('abort').field('httpStatus'), 'http status code is incorrect');
    // Envoy's fault filter aborts only with a final status (FaultAbort.http_status: [200, 600)).
    else if (status < 200) v.add(path.field('abort').field('httpStatus'), 'has to be in [200 - 599] range');
  }
  if (present(responseBandwidth)) {
    validatePercentage(path.field('responseBandwidth').field('percentage'), responseBandwidth.percentage, v);
    const limit = responseBandwidth.limit;
    if (limit === undefined) v.add(path.field('responseBandwidth').field('limit'), 'cannot be empty');
    else if (!BANDWIDTH.test(limit)) v.add(path.field('responseBandwidth').field('limit'), 'has to be in kbps/mbps/gbps units');
    else if (/^0+\s?[kmg]bps$/.test(limit)) v.add(path.field('responseBandwidth').field('limit'), 'has to be greater than 0');
  }
}

export const validateFaultInjection = defineValidator(faultInjectionSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, DESTINATIONS);
  validateConf(spec.conf, v);
});
