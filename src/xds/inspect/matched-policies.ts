import type { MatchedPolicy, PolicyAttachment, PolicyContext } from '../../core/inspect/policy-inspector.js';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { SERVICE_TAG, type ConnectionPolicySpec, type Selector, type Tags } from '../../core/resources/specs.js';
import { inboundPolicyNoEffect } from '../generator/inbound-http-policies.js';
import { compareRanks, matchConnectionPolicy, matchDataplanePolicy, matchInboundPolicy, selectorRank } from '../generator/policy-match.js';

/** Policies matched on the destination side: the best one attaches to the inbound it selects. */
const INBOUND_TYPES: readonly ResourceTypeName[] = ['TrafficPermission'];
/** Destination-side policies of which every one selecting an inbound applies (one fault filter / rate limit route each). */
const INBOUND_ALL_TYPES = ['FaultInjection', 'RateLimit'] as const;
/** Policies matched on (source = this data plane, destination = the outbound service). */
const OUTBOUND_TYPES: readonly ResourceTypeName[] = ['TrafficRoute', 'Timeout', 'Retry', 'HealthCheck', 'CircuitBreaker', 'TrafficLog'];
/** Policies that select whole data planes (`selectors`). */
const DATAPLANE_TYPES: readonly ResourceTypeName[] = ['TrafficTrace', 'ProxyTemplate'];

type ConnectionPolicy = Resource<ConnectionPolicySpec<unknown>>;

const show = (tags: Tags): string =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** The selector of `selectors` that matched `tagSets` best, as text. */
function bestSelector(selectors: readonly Selector[] | undefined, tagSets: readonly Tags[]): string {
  let best: { text: string; rank: NonNullable<ReturnType<typeof selectorRank>> } | undefined;
  for (const s of selectors ?? []) {
    for (const tags of tagSets) {
      const rank = selectorRank(s.match, tags);
      if (rank && (!best || compareRanks(rank, best.rank) > 0)) best = { text: show(s.match), rank };
    }
  }
  return best?.text ?? '';
}

/**
 * Which policies apply to `dataplane` and where, by the same matching the generators use: per inbound the
 * best destination-matched policy of each inbound type, per reachable service the best connection policy
 * of each outbound type, and the best selector-matched TrafficTrace/ProxyTemplate.
 */
export function matchedPolicies(dataplane: ResourceOf<'Dataplane'>, ctx: PolicyContext): MatchedPolicy[] {
  const spec = dataplane.spec;
  const net = spec.networking;
  const inbounds = net.gateway ? [] : (net.inbound ?? []).map((i) => ({ name: `inbound:${i.address ?? net.address}:${i.port}`, tags: i.tags }));
  const sourceTags = net.gateway ? [net.gateway.tags] : inbounds.map((i) => i.tags);
  const found = new Map<string, { policy: Resource<unknown>; type: ResourceTypeName; attachments: PolicyAttachment[]; reasons: Set<string>; noEffect: string[] }>();
  const add = (type: ResourceTypeName, policy: Resource<unknown>, attachment: PolicyAttachment, reason: string, noEffect?: string): void => {
    const key = `${type}\u0000${policy.meta.name}`;
    let entry = found.get(key);
    if (!entry) found.set(key, (entry = { policy, type, attachments: [], reasons: new Set(), noEffect: [] }));
    entry.attachments.push(attachment);
    entry.reasons.add(reason);
    if (noEffect) entry.noEffect.push(`${attachment.name}: ${noEffect}`);
  };
  const list = (type: ResourceTypeName): readonly ConnectionPolicy[] => (ctx.policies.get(type) ?? []) as readonly Resource<unknown>[] as readonly ConnectionPolicy[];

  for (const type of INBOUND_TYPES) {
    for (const inbound of inbounds) {
      const p = matchInboundPolicy(list(type), inbound.tags);
      if (p) add(type, p, { kind: 'inbound', name: inbound.name, service: inbound.tags[SERVICE_TAG] ?? '' }, `to ${bestSelector(p.spec.destinations, [inbound.tags])}`);
    }
  }
  for (const type of INBOUND_ALL_TYPES) {
    for (const inbound of inbounds) {
      for (const p of list(type)) {
        const noEffect = inboundPolicyNoEffect(type, p.spec.destinations, inbound.tags);
        const selector = bestSelector(p.spec.destinations, [inbound.tags]);
        if (!noEffect && !selector) continue;
        const attachment: PolicyAttachment = { kind: 'inbound', name: inbound.name, service: inbound.tags[SERVICE_TAG] ?? '' };
        add(type, p, attachment, `from ${p.spec.sources.map((s) => show(s.match)).join(' or ')} to ${selector || show(p.spec.destinations[0]?.match ?? {})}`, noEffect);
      }
    }
  }
  const outboundServices = new Set((net.outbound ?? []).map((o) => o.tags?.[SERVICE_TAG] ?? o.service).filter((s): s is string => !!s));
  if (net.transparentProxying || net.gateway) for (const s of ctx.services) outboundServices.add(s);
  for (const type of OUTBOUND_TYPES) {
    for (const service of [...outboundServices].sort()) {
      const destination = { [SERVICE_TAG]: service };
      const p = matchConnectionPolicy(list(type), sourceTags, destination);
      if (p) {
        add(type, p, { kind: 'outbound', name: `outbound:${service}`, service }, `from ${bestSelector(p.spec.sources, sourceTags)} to ${bestSelector(p.spec.destinations, [destination])}`);
      }
    }
  }
  for (const type of DATAPLANE_TYPES) {
    const best = matchDataplanePolicy((ctx.policies.get(type) ?? []) as readonly Resource<{ selectors?: Selector[] }>[], sourceTags);
    if (best) add(type, best, { kind: 'dataplane', name: dataplane.meta.name, service: sourceTags.map((t) => t[SERVICE_TAG]).filter(Boolean).join(',') }, `selects ${bestSelector(best.spec.selectors, sourceTags)}`);
  }
  return [...found.values()].map((e) => ({
    type: e.type,
    name: e.policy.meta.name,
    attachments: e.attachments,
    reason: [...e.reasons].join('; '),
    ...(e.noEffect.length ? { noEffect: e.noEffect.join('; ') } : {}),
  }));
}
