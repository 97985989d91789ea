import { z } from 'zod';
import { connectionPolicySchema, validateSourcesAndDestinations } from './connection-policy.js';
import { defineValidator } from './define.js';
import { durationSchema, isZeroDuration } from './durations.js';
import { FieldPath } from './path.js';
import { ONLY_SERVICE_SELECTORS, SERVICE_SELECTORS } from './selectors.js';
import type { Violations } from './violations.js';

const confSchema = z.object({
  connectTimeout: durationSchema.optional(),
  tcp: z.object({ idleTimeout: durationSchema.optional() }).optional(),
  http: z.object({ requestTimeout: durationSchema.optional(), idleTimeout: durationSchema.optional() }).optional(),
  grpc: z.object({ streamIdleTimeout: durationSchema.optional(), maxStreamDuration: durationSchema.optional() }).optional(),
});

export const timeoutSchema = connectionPolicySchema(confSchema);
type Conf = z.output<typeof confSchema>;

const AT_LEAST_ONE = 'at least one timeout in section has to be defined';
const WHEN_DEFINED = 'has to be greater than 0 when defined';

/** A section (tcp, http, grpc) sets at least one of its timeouts, each positive. */
function validateSection(path: FieldPath, section: Record<string, string | undefined> | undefined, v: Violations): void {
  if (!section) return;
  const set = Object.entries(section).filter((e): e is [string, string] => e[1] !== undefined);
  if (set.length === 0) v.add(path, AT_LEAST_ONE);
  for (const [field, value] of set) {
    if (isZeroDuration(value)) v.add(path.field(field), WHEN_DEFINED);
  }
}

function validateConf(conf: Conf | undefined, v: Violations): void {
  const path = FieldPath.root('conf');
  if (!conf) {
    v.add(path, 'has to be defined');
    return;
  }
  if (conf.connectTimeout !== undefined && isZeroDuration(conf.connectTimeout)) v.add(path.field('connectTimeout'), WHEN_DEFINED);
  validateSection(path.field('tcp'), conf.tcp, v);
  validateSection(path.field('http'), conf.http, v);
  validateSection(path.field('grpc'), conf.grpc, v);
}

export const validateTimeout = defineValidator(timeoutSchema, (spec, v) => {
  validateSourcesAndDestinations(spec, v, SERVICE_SELECTORS, ONLY_SERVICE_SELECTORS);
  validateConf(spec.conf, v);
});
