import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { selectorPolicySchema } from './connection-policy.js';
import { defineValidator } from './define.js';
import { stringSchema } from './numbers.js';
import { FieldPath } from './path.js';
import { SERVICE_SELECTORS, validateSelectors } from './selectors.js';
import type { Violations } from './violations.js';

export const PROXY_TEMPLATE_PROFILES = ['default-proxy'] as const;

const matchSchema = z.object({
  name: stringSchema.optional(),
  origin: stringSchema.optional(),
  listenerName: stringSchema.optional(),
  routeConfigurationName: stringSchema.optional(),
});
const modificationSchema = z.object({ operation: stringSchema.default(''), match: matchSchema.optional(), value: stringSchema.optional() });

const MODIFICATION_KINDS = ['cluster', 'listener', 'networkFilter', 'httpFilter', 'virtualHost'] as const;
type Kind = (typeof MODIFICATION_KINDS)[number];
type Modification = z.output<typeof modificationSchema>;

const confSchema = z.object({
  imports: z.array(stringSchema).optional(),
  resources: z.array(z.object({ name: stringSchema.default(''), version: stringSchema.default(''), resource: stringSchema.default('') })).optional(),
  modifications: z
    .array(z.object(Object.fromEntries(MODIFICATION_KINDS.map((k) => [k, modificationSchema.optional()])) as Record<Kind, z.ZodOptional<typeof modificationSchema>>))
    .optional(),
});

export const proxyTemplateSchema = selectorPolicySchema(confSchema);
type Conf = z.output<typeof confSchema>;

const WHOLE_RESOURCE_OPS: readonly string[] = ['add', 'patch', 'remove'];
const FILTER_OPS: readonly string[] = ['addFirst', 'addLast', 'addBefore', 'addAfter', 'patch', 'remove'];

/** Envoy resources are given as YAML (or JSON) text; they must at least be a mapping. */
function yamlError(text: string): string | undefined {
  try {
    const doc: unknown = parseYaml(text);
    return typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? undefined : 'has to be a YAML or JSON object';
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0] : String(err);
  }
}

function validateValue(path: FieldPath, value: string | undefined, v: Violations): void {
  if (!value) {
    v.add(path, 'cannot be empty');
    return;
  }
  const err = yamlError(value);
  if (err) v.add(path, `native Envoy resource is not valid: ${err}`);
}

function validateModification(path: FieldPath, kind: Kind, m: Modification, v: Violations): void {
  const filter = kind === 'networkFilter' || kind === 'httpFilter';
  const ops = filter ? FILTER_OPS : WHOLE_RESOURCE_OPS;
  if (!ops.includes(m.operation)) {
    v.add(path.field('operation'), `invalid operation. Available operations: ${ops.map((o) => JSON.stringify(o)).join(', ')}`);
    return;
  }
  if (m.operation === 'remove') return;
  const matchName = m.match?.name ?? '';
  if (m.operation === 'add' && kind === 'virtualHost' && matchName !== '') v.add(path.field('match').field('name'), 'cannot be defined');
  else if (m.operation === 'add' && kind !== 'virtualHost' && m.match !== undefined) v.add(path.field('match'), 'cannot be defined');
  if (m.operation === 'addBefore' && matchName === '') {
    v.add(path.field('match').field('name'), 'cannot be empty. You need to pick a filter before which this one will be added');
  }
  if (m.operation === 'addAfter' && matchName === '') {
    v.add(path.field('match').field('name'), 'cannot be empty. You need to pick a filter after which this one will be added');
  }
  if (m.operation === 'patch' && filter && matchName === '') v.add(path.field('match').field('name'), 'cannot be empty');
  validateValue(path.field('value'), m.value, v);
}

function validateConf(conf: Conf | undefined, v: Violations): void {
  if (!conf) return;
  const path = FieldPath.root('conf');
  (conf.imports ?? []).forEach((imp, i) => {
    const p = path.field('imports').index(i);
    if (imp === '') v.add(p, 'cannot be empty');
    else if (!(PROXY_TEMPLATE_PROFILES as readonly string[]).includes(imp)) v.add(p, `profile not found. Available profiles: ${PROXY_TEMPLATE_PROFILES.join(',')}`);
  });
  (conf.resources ?? []).forEach((r, i) => {
    const p = path.field('resources').index(i);
    if (r.name === '') v.add(p.field('name'), 'cannot be empty');
    if (r.version === '') v.add(p.field('version'), 'cannot be empty');
    validateValue(p.field('resource'), r.resource, v);
  });
  (conf.modifications ?? []).forEach((mod, i) => {
    const p = path.field('modifications').index(i);
    const kinds = MODIFICATION_KINDS.filter((k) => mod[k] !== undefined);
    if (kinds.length !== 1) {
      v.add(p, `has to have exactly one of: ${MODIFICATION_KINDS.join(', ')}`);
      return;
    }
    const kind = kinds[0] as Kind;
    validateModification(p.field(kind), kind, mod[kind] as Modification, v);
  });
}

export const validateProxyTemplate = defineValidator(proxyTemplateSchema, (spec, v) => {
  validateSelectors(FieldPath.root('selectors'), spec.selectors, v, SERVICE_SELECTORS);
  validateConf(spec.conf, v);
});
