import type { Resource } from '../../../core/resources/model.js';
import type { DataplaneSpec, ProxyTemplateSpec } from '../../../core/resources/specs.js';
import { PROXY_TEMPLATE_PROFILES } from '../../../core/resources/schemas/proxy-template.js';
import { ResourceGroup } from '../../cache/resource-group.js';
import { validateResource } from '../../envoy/validate.js';
import { TYPE_URLS, type EncodedResource, type TypeUrl } from '../../resource.js';
import type { MeshSnapshot } from '../mesh-snapshot.js';
import { matchDataplanePolicy, proxyTagSets } from '../policy-match.js';
import { withoutShadowed } from '../shadowing.js';
import { applyModifications, decodeJson, parseValue } from './modifications.js';
import { ORIGINS } from './origin.js';
import { ProxyTemplateError, TemplateStepError } from './template-error.js';
import { TemplateResources, type ChangedResource } from './template-resources.js';
import { scalarText } from '../../envoy/scalar-text.js';

/**
 * A proxy's resources: its own, the group it shares with proxies of the same parameters, and the routes that
 * carry its tags (`x-kuma-tags`, shared with proxies of the same parameters and tags).
 */
export interface ProxyParts {
  readonly own: EncodedResource[];
  readonly shared: ResourceGroup;
  readonly tagged: ResourceGroup;
}

type Outcome = { readonly group: ResourceGroup } | { readonly error: string };

const [DEFAULT_PROXY] = PROXY_TEMPLATE_PROFILES;
const RESOURCE_TYPES: ReadonlySet<string> = new Set(Object.values(TYPE_URLS));

/**
 * The ProxyTemplate of the mesh that selects the proxy (the most specific, as Kuma's SelectDataplanePolicy),
 * applied after generation (Kuma's ProxyTemplateGenerator): with `imports: [default-proxy]` the generated
 * resources, else none; then the template's raw `resources` (replacing any of the same type and name); then
 * its `modifications` in order. Without a template the parts are returned as they are.
 *
 * The shared group is transformed once per (template, group content) per mesh snapshot and that result is
 * shared like the group itself; the proxy's own resources are transformed per proxy, with additions going
 * to the shared side only. Every resource the template adds or changes must decode strictly and satisfy
 * validate.rules: else a ProxyTemplateError, and the proxy keeps the configuration it had.
 */
export function applyProxyTemplate(snap: MeshSnapshot, dp: Resource<DataplaneSpec>, parts: ProxyParts): ProxyParts {
  const templates = snap.policies.proxyTemplates;
  if (templates.length === 0) return parts;
  const template = matchDataplanePolicy(templates, proxyTagSets(dp.spec));
  if (!template) return parts;
  if (!(template.spec.conf?.imports ?? []).includes(DEFAULT_PROXY)) {
    const alone = snap.derived({ template, shared: ResourceGroup.EMPTY, tagged: ResourceGroup.EMPTY }, transformShared);
    return { own: [], shared: unwrap(snap, template, alone), tagged: ResourceGroup.EMPTY };
  }
  const shared = unwrap(snap, template, snap.derived({ template, shared: parts.shared, tagged: parts.tagged }, transformShared));
  const own = unwrap(snap, template, transform(template, parts.own, false));
  const ownList = allOf(own);
  return { own: ownList, shared: withoutShadowed(shared, ownList), tagged: ResourceGroup.EMPTY };
}

function unwrap(snap: MeshSnapshot, template: Resource<ProxyTemplateSpec>, outcome: Outcome): ResourceGroup {
  if ('error' in outcome) throw new ProxyTemplateError(template.meta.name, snap.mesh, outcome.error);
  return outcome.group;
}

interface SharedTransform {
  readonly template: Resource<ProxyTemplateSpec>;
  /** Groups stand for their content in the memo key (their per-type versions: see canonical). */
  readonly shared: ResourceGroup;
  readonly tagged: ResourceGroup;
}

/** The template on a shared group; the tagged routes are transformed with it (the two never hold the same resource). */
function transformShared(_snap: MeshSnapshot, p: SharedTransform): Outcome {
  return transform(p.template, [...allOf(p.shared), ...allOf(p.tagged)], true);
}

function allOf(group: ResourceGroup): EncodedResource[] {
  const out: EncodedResource[] = [];
  for (const t of group.types()) out.push(...group.list(t));
  return out;
}

/** The template on one group of resources; `additions`: whether raw resources and `add`s land in this group. */
function transform(template: Resource<ProxyTemplateSpec>, resources: readonly EncodedResource[], additions: boolean): Outcome {
  const conf = template.spec.conf ?? {};
  const set = new TemplateResources(resources, additions);
  try {
    addRawResources(set, conf.resources ?? []);
    applyModifications(set, conf.modifications ?? []);
  } catch (err) {
    if (err instanceof TemplateStepError) return { error: err.message };
    throw err;
  }
  const { resources: result, changed } = set.result();
  const problem = changed.map(problemOf).find((p) => p !== undefined);
  return problem ? { error: problem } : { group: new ResourceGroup(result) };
}

/** Kuma's ProxyTemplateRawSource: each resource is Envoy YAML/JSON with its `@type`, kept under `name`. */
function addRawResources(set: TemplateResources, raw: NonNullable<NonNullable<ProxyTemplateSpec['conf']>['resources']>): void {
  raw.forEach((r, i) => {
    const where = `resources[${i}]`;
    const json = parseValue(r.resource, where);
    const typeUrl = typeof json === 'object' && json !== null ? (json as Record<string, unknown>)['@type'] : undefined;
    if (typeof typeUrl !== 'string' || !RESOURCE_TYPES.has(typeUrl)) {
      throw new TemplateStepError(where, `"@type" must be one of ${[...RESOURCE_TYPES].join(', ')}`);
    }
    const { '@type': _type, ...fields } = json as Record<string, unknown>;
    set.add(typeUrl as TypeUrl, r.name, decodeJson(typeUrl.slice(typeUrl.lastIndexOf('/') + 1), fields, where), ORIGINS.raw, where);
  });
}

const SHOWN_VIOLATIONS = 3;

/** Why Envoy would reject a resource the template added or changed, if it would. */
function problemOf({ resource, by }: ChangedResource): string | undefined {
  const kind = resource.typeUrl.slice(resource.typeUrl.lastIndexOf('.') + 1);
  let inner: string | undefined;
  const violations = validateResource(resource, (typeName, m) => {
    if (inner === undefined && typeName === `.${resource.typeUrl.slice(resource.typeUrl.lastIndexOf('/') + 1)}`) inner = scalarText(m[resource.typeUrl === TYPE_URLS.clusterLoadAssignment ? 'cluster_name' : 'name']);
  });
  if (violations.length > 0) {
    const more = violations.length > SHOWN_VIOLATIONS ? ` (and ${violations.length - SHOWN_VIOLATIONS} more)` : '';
    return `${by}: ${kind} "${resource.name}" would be invalid: ${violations.slice(0, SHOWN_VIOLATIONS).join('; ')}${more}`;
  }
  if (inner !== undefined && inner !== resource.name) return `${by}: ${kind} "${resource.name}" is named "${inner}" inside`;
  return undefined;
}
