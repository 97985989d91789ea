import type { Resource } from '../../core/resources/model.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataplaneSpec, type MeshSpec, type Tags } from '../../core/resources/specs.js';
import type { MeshPolicies } from './mesh-policies.js';
import type { OutboundProtocol } from './policy-conf.js';
import { bestRank, proxyTagSets } from './policy-match.js';
import { isHttp, toProtocol } from './protocol.js';
import { loggingBackend } from './traffic-log.js';
import { resolveTracing, selectTrafficTrace, tracingBackend } from './traffic-trace.js';

const LISTED = 10;

/** `a, b, c` or `a, ... (and 12 more)`. */
function names(list: readonly string[]): string {
  const shown = list.slice(0, LISTED).join(', ');
  return list.length > LISTED ? `${shown} (and ${list.length - LISTED} more)` : shown;
}

const q = JSON.stringify;

/** What the warnings read of the mesh snapshot. */
export interface ObservabilityInputs {
  readonly mesh: string;
  readonly meshSpec: MeshSpec;
  readonly policies: MeshPolicies;
  readonly dataplanes: ReadonlyMap<string, Resource<DataplaneSpec>>;
  readonly protocols: ReadonlyMap<string, OutboundProtocol>;
  readonly vips: ReadonlyMap<string, string>;
}

/**
 * TrafficLogs and TrafficTraces that select data planes of the mesh but change nothing in their config,
 * each with the data planes concerned and why (the snapshot logs each once, when it first appears):
 * a backend the mesh does not have or no backend and no default (Kuma ignores those too, with a log line),
 * a `tcp` logging backend (Kuma ships its lines through kuma-dp's access log sink, which this control plane
 * does not configure), a tracing backend whose collector address cannot be used, a TrafficTrace on a data
 * plane without any HTTP listener (tracing lives in the HTTP connection manager).
 */
export function observabilityWarnings(inputs: ObservabilityInputs): string[] {
  const { mesh, meshSpec, policies, dataplanes } = inputs;
  if (policies.trafficLogs.length === 0 && policies.trafficTraces.length === 0) return [];
  const proxies = [...dataplanes.values()]
    .filter((d) => !d.spec.networking.ingress)
    .map((d) => ({ name: d.meta.name, tags: proxyTagSets(d.spec), spec: d.spec }));
  const selected = (match: (tags: readonly Tags[]) => boolean): string[] => proxies.filter((p) => match(p.tags)).map((p) => p.name).sort();
  const out: string[] = [];
  for (const policy of policies.trafficLogs) {
    const reason = trafficLogProblem(mesh, meshSpec, policy.spec.conf?.backend, loggingBackend(meshSpec, policy)?.type);
    if (!reason) continue;
    const dps = selected((tags) => bestRank(policy.spec.sources, tags) !== undefined);
    if (dps.length) out.push(`TrafficLog ${q(policy.meta.name)} in mesh ${q(mesh)} has no effect on data planes ${names(dps)}: ${reason}`);
  }
  for (const policy of policies.trafficTraces) {
    const backend = tracingBackend(meshSpec, policy);
    const reason = !backend
      ? missing(mesh, 'tracing', policy.spec.conf?.backend)
      : !resolveTracing(backend)
        ? `tracing backend ${q(backend.name)} has no usable collector address`
        : undefined;
    const chosen = proxies.filter((p) => selectTrafficTrace(policies.trafficTraces, p.tags) === policy);
    const dps = reason ? chosen : chosen.filter((p) => !hasHttpListener(inputs, p.spec));
    const why = reason ?? 'tracing applies to HTTP listeners and these data planes have none (all their inbounds and outbounds are TCP)';
    if (dps.length) out.push(`TrafficTrace ${q(policy.meta.name)} in mesh ${q(mesh)} has no effect on data planes ${names(dps.map((p) => p.name).sort())}: ${why}`);
  }
  return out;
}

function missing(mesh: string, kind: 'logging' | 'tracing', named: string | undefined): string {
  return named
    ? `it names ${kind} backend ${q(named)}, which mesh ${q(mesh)} does not have`
    : `it names no backend and mesh ${q(mesh)} has no ${kind}.defaultBackend`;
}

function trafficLogProblem(mesh: string, meshSpec: MeshSpec, named: string | undefined, type: string | undefined): string | undefined {
  if (type === undefined) return missing(mesh, 'logging', named);
  if (type === 'tcp') {
    const name = named || meshSpec.logging?.defaultBackend || '';
    return `logging backend ${q(name)} is of type tcp, which Kuma delivers through kuma-dp's access log sink; this control plane does not configure one, so use a file backend`;
  }
  return undefined;
}

/**
 * Whether a proxy has an HTTP inbound, or an outbound (declared, or a VIP outbound of a transparent proxy)
 * to a service served over HTTP. An outbound whose TrafficRoute splits to a TCP service is TCP even so; it
 * counts as HTTP here, so this never reports a proxy that has HTTP listeners.
 */
function hasHttpListener(inputs: ObservabilityInputs, spec: DataplaneSpec): boolean {
  const net = spec.networking;
  if ((net.inbound ?? []).some((i) => isHttp(toProtocol(i.tags[PROTOCOL_TAG])))) return true;
  const http = (service: string | undefined): boolean => service !== undefined && isHttp(inputs.protocols.get(service) ?? 'tcp');
  if ((net.outbound ?? []).some((o) => http(o.tags?.[SERVICE_TAG] ?? o.service))) return true;
  return net.transparentProxying !== undefined && [...inputs.vips.keys()].some(http);
}
