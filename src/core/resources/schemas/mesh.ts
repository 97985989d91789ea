import { z } from 'zod';
import { isIpOrDnsName, parsePort, splitHostPort } from './addresses.js';
import { isKumaPlaceholder, KUMA_PLACEHOLDERS, kumaPlaceholdersIn } from './access-log-format.js';
import { dataSourceSchema, validateDataSource } from './data-source.js';
import { defineValidator, parseInto } from './define.js';
import { DURATION_MESSAGE, parseDurationNanos } from './durations.js';
import { booleanSchema, isPort, looseObjectSchema, numberSchema, PORT_RANGE_MESSAGE, stringSchema, uint32Schema } from './numbers.js';
import { FieldPath } from './path.js';
import { PROMETHEUS_BACKEND, validatePrometheusConf } from './metrics-backend.js';
import type { Violations } from './violations.js';

/**
 * Certificate lifetimes (`dpCert.rotation.expiration`, builtin `caCert.expiration`) follow Kuma's mesh
 * ParseDuration: one integer with a unit y|w|d|h|m|s|ms (Kuma's docs use `1d` and `10y`), or `0`. Go-style
 * durations such as `1h30m` are accepted as well.
 */
const CERT_DURATION = /^(0|\d+(y|w|d|h|m|s|ms))$/;
const CERT_UNIT_MS: Readonly<Record<string, number>> = { y: 365 * 86_400_000, w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a certificate lifetime (`10y`, `1d`, `24h`, `1h30m`); undefined if not one. */
export function certDurationMillis(text: string): number | undefined {
  const m = /^(\d+)(y|w|d|h|m|s|ms)$/.exec(text);
  if (m) return Number(m[1]) * (CERT_UNIT_MS[m[2] ?? ''] ?? 0);
  const nanos = parseDurationNanos(text);
  return nanos === undefined ? undefined : Number(nanos / 1_000_000n);
}

const certDurationSchema = z
  .string({ error: () => DURATION_MESSAGE })
  .refine((s) => CERT_DURATION.test(s) || parseDurationNanos(s) !== undefined, { message: DURATION_MESSAGE });

const backend = {
  name: stringSchema.default(''),
  type: stringSchema.default(''),
  conf: looseObjectSchema.optional(),
} as const;

/** Kuma's mesh defaulter: a prometheus backend gets port 5670, path /metrics and a service tag. */
function defaultPrometheusConf<B extends { type: string; conf?: Record<string, unknown> }>(b: B): B {
  if (b.type !== PROMETHEUS_BACKEND) return b;
  const conf = { ...(b.conf ?? {}) };
  if (conf.port === undefined || conf.port === 0) conf.port = 5670;
  if (conf.path === undefined || conf.path === '') conf.path = '/metrics';
  const tags = conf.tags;
  if (tags === undefined || (typeof tags === 'object' && tags !== null && Object.keys(tags).length === 0)) {
    conf.tags = { 'kuma.io/service': 'dataplane-metrics' };
  }
  return { ...b, conf };
}

export const meshSchema = z.object({
  mtls: z
    .object({
      enabledBackend: stringSchema.optional(),
      backends: z
        .array(z.object({ ...backend, dpCert: z.object({ rotation: z.object({ expiration: certDurationSchema.optional() }).optional() }).optional() }))
        .optional(),
    })
    .optional(),
  tracing: z
    .object({
      defaultBackend: stringSchema.optional(),
      backends: z.array(z.object({ ...backend, sampling: numberSchema.optional() })).optional(),
    })
    .optional(),
  logging: z
    .object({
      defaultBackend: stringSchema.optional(),
      backends: z.array(z.object({ ...backend, format: stringSchema.optional() })).optional(),
    })
    .optional(),
  metrics: z
    .object({
      enabledBackend: stringSchema.optional(),
      backends: z.array(z.object(backend).transform(defaultPrometheusConf)).optional(),
    })
    .optional(),
  networking: z.object({ outbound: z.object({ passthrough: booleanSchema.optional() }).optional() }).optional(),
  routing: z.object({ localityAwareLoadBalancing: booleanSchema.optional() }).optional(),
});
export type MeshSpec = z.output<typeof meshSchema>;

type Backend = { name: string; type: string; conf?: Record<string, unknown> };

function unknownType(types: readonly string[]): string {
  return `unknown backend type. Available backends: ${types.map((t) => JSON.stringify(t)).join(', ')}`;
}

/** Names unique and non-empty; the selected backend must be one of them. */
function validateBackendNames(path: FieldPath, backends: readonly Backend[], selectedField: string, selected: string | undefined, message: string, v: Violations): void {
  const used = new Set<string>();
  backends.forEach((b, i) => {
    const p = path.field('backends').index(i).field('name');
    if (b.name === '') v.add(p, 'cannot be empty');
    else if (used.has(b.name)) v.add(p, `${JSON.stringify(b.name)} name is already used for another backend`);
    used.add(b.name);
  });
  if (selected && !used.has(selected)) v.add(path.field(selectedField), message);
}

const builtinConf = z.object({
  caCert: z.object({ RSAbits: uint32Schema.optional(), expiration: certDurationSchema.optional() }).optional(),
});
const providedConf = z.object({ cert: dataSourceSchema.optional(), key: dataSourceSchema.optional() });

function validateMtls(mtls: MeshSpec['mtls'], v: Violations): void {
  if (!mtls) return;
  const path = FieldPath.root('mtls');
  const backends = mtls.backends ?? [];
  validateBackendNames(path, backends, 'enabledBackend', mtls.enabledBackend, 'has to be set to one of the backends in the mesh', v);
  backends.forEach((b, i) => {
    const p = path.field('backends').index(i);
    if (b.type === 'builtin') parseInto(builtinConf, b.conf ?? {}, v, p.field('conf'));
    else if (b.type === 'provided') {
      const conf = parseInto(providedConf, b.conf ?? {}, v, p.field('conf'));
      if (conf) {
        for (const f of ['cert', 'key'] as const) {
          if (conf[f] === undefined) v.add(p.field('conf').field(f), 'has to be defined');
          validateDataSource(p.field('conf').field(f), conf[f], v);
        }
      }
    } else v.add(p.field('type'), unknownType(['builtin', 'provided']));
  });
}

function validateHostPort(path: FieldPath, address: string | undefined, v: Violations): void {
  if (!address) {
    v.add(path, 'cannot be empty');
    return;
  }
  const hp = splitHostPort(address);
  if (!hp || hp.host === '' || !isIpOrDnsName(hp.host) || parsePort(hp.port) === undefined) v.add(path, 'has to be in format of HOST:PORT');
}

const fileConf = z.object({ path: stringSchema.optional() });
const tcpConf = z.object({ address: stringSchema.optional() });

function validateLogging(logging: MeshSpec['logging'], v: Violations): void {
  if (!logging) return;
  const path = FieldPath.root('logging');
  const backends = logging.backends ?? [];
  validateBackendNames(path, backends, 'defaultBackend', logging.defaultBackend, 'has to be set to one of the logging backend in mesh', v);
  backends.forEach((b, i) => {
    const p = path.field('backends').index(i);
    const confPath = p.field('conf');
    for (const name of kumaPlaceholdersIn(b.format ?? '')) {
      if (!isKumaPlaceholder(name)) v.add(p.field('format'), `unknown placeholder %${name}%. Available: ${KUMA_PLACEHOLDERS.map((k) => `%${k}%`).join(', ')}`);
    }
    if (b.type === 'file') {
      const conf = parseInto(fileConf, b.conf ?? {}, v, confPath);
      if (conf && !conf.path) v.add(confPath.field('path'), 'cannot be empty');
    } else if (b.type === 'tcp') {
      const conf = parseInto(tcpConf, b.conf ?? {}, v, confPath);
      if (conf) validateHostPort(confPath.field('address'), conf.address, v);
    } else v.add(p.field('type'), unknownType(['tcp', 'file']));
  });
}

const zipkinConf = z.object({
  url: stringSchema.optional(),
  traceId128bit: booleanSchema.optional(),
  apiVersion: stringSchema.optional(),
  sharedSpanContext: booleanSchema.optional(),
});
const datadogConf = z.object({ address: stringSchema.optional(), port: uint32Schema.optional() });
const EXPLICIT_PORT = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^/:?#]*):\d+(?:[/?#]|$)/;
const ZIPKIN_API_VERSIONS: readonly string[] = ['httpJsonV1', 'httpJson', 'httpProto'];

function validateZipkin(path: FieldPath, conf: z.output<typeof zipkinConf>, v: Violations): void {
  if (conf.apiVersion && !ZIPKIN_API_VERSIONS.includes(conf.apiVersion)) {
    v.add(path.field('apiVersion'), `has invalid value. Allowed values: ${ZIPKIN_API_VERSIONS.join(', ')}`);
  }
  if (!conf.url) {
    v.add(path.field('url'), 'cannot be empty');
    return;
  }
  let url: URL;
  try {
    url = new URL(conf.url);
  } catch {
    v.add(path.field('url'), 'invalid URL');
    return;
  }
  // WHATWG URL drops a scheme's default port (`https://h:443` has port ''): look at the text as Go's url.Port does.
  if (url.port === '' && !EXPLICIT_PORT.test(conf.url)) v.add(path.field('url'), 'port has to be explicitly specified');
}

function validateTracing(tracing: MeshSpec['tracing'], v: Violations): void {
  if (!tracing) return;
  const path = FieldPath.root('tracing');
  const backends = tracing.backends ?? [];
  validateBackendNames(path, backends, 'defaultBackend', tracing.defaultBackend, 'has to be set to one of the tracing backend in mesh', v);
  backends.forEach((b, i) => {
    const p = path.field('backends').index(i);
    const confPath = p.field('conf');
    if (b.sampling !== undefined && (b.sampling < 0 || b.sampling > 100)) v.add(p.field('sampling'), 'has to be in [0.0 - 100.0] range');
    if (b.type === 'zipkin') {
      const conf = parseInto(zipkinConf, b.conf ?? {}, v, confPath);
      if (conf) validateZipkin(confPath, conf, v);
    } else if (b.type === 'datadog') {
      const conf = parseInto(datadogConf, b.conf ?? {}, v, confPath);
      if (conf && !conf.address) v.add(confPath.field('address'), 'cannot be empty');
      // Kuma's ValidatePort: the Datadog agent's port is required (the tracing cluster needs it).
      if (conf && !isPort(conf.port ?? 0)) v.add(confPath.field('port'), PORT_RANGE_MESSAGE);
    } else v.add(p.field('type'), unknownType(['zipkin', 'datadog']));
  });
}

function validateMetrics(metrics: MeshSpec['metrics'], v: Violations): void {
  if (!metrics) return;
  const path = FieldPath.root('metrics');
  const backends = metrics.backends ?? [];
  validateBackendNames(path, backends, 'enabledBackend', metrics.enabledBackend, 'has to be set to one of the backends in the mesh', v);
  backends.forEach((b, i) => {
    const p = path.field('backends').index(i);
    if (b.type !== PROMETHEUS_BACKEND) v.add(p.field('type'), unknownType([PROMETHEUS_BACKEND]));
    else validatePrometheusConf(p.field('conf'), b.conf, v);
  });
}

export const validateMesh = defineValidator(meshSchema, (spec, v) => {
  validateMtls(spec.mtls, v);
  validateLogging(spec.logging, v);
  validateTracing(spec.tracing, v);
  validateMetrics(spec.metrics, v);
});
