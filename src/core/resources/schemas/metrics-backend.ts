import { z } from 'zod';
import { parseInto } from './define.js';
import { booleanSchema, isPort, PORT_RANGE_MESSAGE, stringSchema, uint32Schema } from './numbers.js';
import type { FieldPath } from './path.js';
import { isUrlPath, URL_PATH_MESSAGE } from './paths.js';
import { tagsSchema, validateTags } from './tags.js';
import type { Violations } from './violations.js';

/** The one metrics backend type Kuma 1.x knows. */
export const PROMETHEUS_BACKEND = 'prometheus';

/** `conf` of a prometheus metrics backend (Mesh `metrics.backends[].conf`, Dataplane `metrics.conf`). */
export const prometheusConfSchema = z.object({
  port: uint32Schema.optional(),
  path: stringSchema.optional(),
  tags: tagsSchema.optional(),
  skipMTLS: booleanSchema.optional(),
});

export type PrometheusConf = z.output<typeof prometheusConfSchema>;

/** Checks a prometheus backend's conf; undefined when it does not even parse (violations recorded). */
export function validatePrometheusConf(confPath: FieldPath, raw: unknown, v: Violations): PrometheusConf | undefined {
  const conf = parseInto(prometheusConfSchema, raw ?? {}, v, confPath);
  if (!conf) return undefined;
  if (conf.port !== undefined && conf.port !== 0 && !isPort(conf.port)) v.add(confPath.field('port'), PORT_RANGE_MESSAGE);
  if (conf.path !== undefined && conf.path !== '' && !isUrlPath(conf.path)) v.add(confPath.field('path'), URL_PATH_MESSAGE);
  if (conf.tags) validateTags(confPath.field('tags'), conf.tags, v);
  return conf;
}

/**
 * A Dataplane's `metrics` ({type, conf}): overrides the mesh's enabled prometheus backend field by field.
 * Kuma ignores an override of another type; here it is refused, as no other type exists.
 */
export function validateDataplaneMetrics(path: FieldPath, metrics: Readonly<Record<string, unknown>> | undefined, v: Violations): void {
  if (!metrics) return;
  const type = metrics['type'];
  if (type !== PROMETHEUS_BACKEND) v.add(path.field('type'), `unknown backend type. Available backends: ${JSON.stringify(PROMETHEUS_BACKEND)}`);
  else validatePrometheusConf(path.field('conf'), metrics['conf'], v);
}
