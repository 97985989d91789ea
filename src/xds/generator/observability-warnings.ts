import type { Resource } from '../../core/resources/model.js';
import type { DataplaneSpec, MeshSpec, Tags } from '../../core/resources/specs.js';
import type { MeshPolicies } from './mesh-snapshot.js';
import { bestRank, proxyTagSets } from './policy-match.js';
import { loggingBackend } from './traffic-log.js';
import { resolveTracing, selectTrafficTrace, tracingBackend } from './traffic-trace.js';

const LISTED = 10;

/** `a, b, c` or `a, ... (and 12 more)`. */
function names(list: readonly string[]): string {
  const shown = list.slice(0, LISTED).join(', ');
  return list.length > LISTED ? `${shown} (and ${list.length - LISTED} more)` : shown;
}

const q = JSON.stringify;

/**
 * TrafficLogs and TrafficTraces that select data planes of the mesh but change nothing in their config,
 * each with the data planes concerned and why (the snapshot logs each once, when it first appears):
 * a backend the mesh does not have or no backend and no default (Kuma ignores those too, with a log line),
 * a `tcp` logging backend (Kuma ships its lines through kuma-dp's access log sink, which this control plane
 * does not configure), a tracing backend whose collector address cannot be used.
 */
export function observabilityWarnings(mesh: string, meshSpec: MeshSpec, policies: MeshPolicies, dataplanes: ReadonlyMap<string, Resource<DataplaneSpec>>): string[] {
  if (policies.trafficLogs.length === 0 && policies.trafficTraces.length === 0) return [];
  const proxies = [...dataplanes.values()].filter((d) => !d.spec.networking.ingress).map((d) => ({ name: d.meta.name, tags: proxyTagSets(d.spec) }));
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
    if (!reason) continue;
    const dps = selected((tags) => selectTrafficTrace(policies.trafficTraces, tags) === policy);
    if (dps.length) out.push(`TrafficTrace ${q(policy.meta.name)} in mesh ${q(mesh)} has no effect on data planes ${names(dps)}: ${reason}`);
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
