import { isIPv6 } from 'node:net';
import type { Resource } from '../core/resources/model.js';
import { prometheusEndpoint, usedInterface } from '../core/resources/prometheus-endpoint.js';
import { SERVICE_TAG, ZONE_TAG, type DataplaneSpec, type MeshSpec } from '../core/resources/specs.js';

/** Kuma's MonitoringAssignment (observability v1): one per data plane, one target. */
export interface MonitoringAssignment {
  /** Kuma's resource name: the data plane's REST path. */
  readonly name: string;
  readonly mesh: string;
  readonly service: string;
  readonly targets: readonly MonitoringTarget[];
  readonly labels: Readonly<Record<string, string>>;
}

export interface MonitoringTarget {
  readonly name: string;
  readonly scheme: string;
  readonly address: string;
  readonly metrics_path: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A data plane of a mesh with metrics on that is left out, and why (logged by the server). */
export interface SkippedDataplane {
  readonly mesh: string;
  readonly dataplane: string;
  readonly reason: string;
}

/** Kuma's "unknown" service of a Dataplane without inbounds or gateway. */
const UNKNOWN_SERVICE = 'unknown';

/** Prometheus' strutil.SanitizeLabelName. */
function labelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}

function joinHostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Every tag value of the data plane by key (Kuma's TagSet: gateway tags, or the tags of every inbound). */
function tagSet(spec: DataplaneSpec): Map<string, string[]> {
  const sets = spec.networking.gateway ? [spec.networking.gateway.tags] : (spec.networking.inbound ?? []).map((i) => i.tags);
  const values = new Map<string, Set<string>>();
  for (const tags of sets) for (const [k, v] of Object.entries(tags)) (values.get(k) ?? values.set(k, new Set()).get(k))?.add(v);
  return new Map([...values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, [...v].sort()]));
}

/**
 * Kuma's DataplaneLabels: each tag as a label (sanitized name, first value) and its plural with every value
 * (`kuma_io_services: ",backend,web,"`). A data plane without a `kuma.io/zone` tag gets the zone of this
 * control plane (`localZone`) when there is one: Prometheus then tells zones apart.
 */
export function dataplaneLabels(spec: DataplaneSpec, localZone: string | undefined): Record<string, string> {
  const tags = tagSet(spec);
  if (!tags.has(ZONE_TAG) && localZone) tags.set(ZONE_TAG, [localZone]);
  const labels: Record<string, string> = {};
  for (const [key, values] of [...tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    labels[labelName(key)] = values[0] ?? '';
    labels[labelName(`${key}s`)] = `,${values.join(',')},`;
  }
  return labels;
}

function identifyingService(spec: DataplaneSpec): string {
  const tags = spec.networking.gateway?.tags ?? spec.networking.inbound?.[0]?.tags;
  return tags?.[SERVICE_TAG] || UNKNOWN_SERVICE;
}

/**
 * Kuma's MonitoringAssignmentsGenerator (MADS v1): for every Dataplane of a mesh with a prometheus metrics
 * backend enabled, one assignment with one target, the Dataplane's address and metrics port and path (the
 * Dataplane's `metrics` override merged in), labelled with its tags. Left out: a zone ingress (it gets no
 * metrics listener), and, reported in `skipped`, a Dataplane whose metrics port is one of its inbound or
 * outbound ports (its sidecar gets no metrics listener there; Kuma would send Prometheus to the application).
 * Sorted by name.
 */
export function monitoringAssignments(
  meshes: readonly Resource<MeshSpec>[],
  dataplanes: readonly Resource<DataplaneSpec>[],
  localZone: string | undefined,
): { assignments: MonitoringAssignment[]; skipped: SkippedDataplane[] } {
  const byName = new Map(meshes.map((m) => [m.meta.name, m.spec]));
  const assignments: MonitoringAssignment[] = [];
  const skipped: SkippedDataplane[] = [];
  for (const dp of dataplanes) {
    const meshSpec = byName.get(dp.meta.mesh);
    const endpoint = meshSpec && prometheusEndpoint(meshSpec, dp.spec);
    if (!endpoint) continue;
    const { mesh, name } = dp.meta;
    if (dp.spec.networking.ingress) continue;
    const address = dp.spec.networking.address;
    const used = usedInterface(dp.spec, address, endpoint.port);
    if (used !== undefined) {
      skipped.push({ mesh, dataplane: name, reason: `its metrics port ${endpoint.port} is already ${used}: no metrics listener, not a Prometheus target` });
      continue;
    }
    assignments.push({
      name: `/meshes/${mesh}/dataplanes/${name}`,
      mesh,
      service: identifyingService(dp.spec),
      targets: [{ name, scheme: 'http', address: joinHostPort(address, endpoint.port), metrics_path: endpoint.path, labels: dataplaneLabels(dp.spec, localZone) }],
      labels: {},
    });
  }
  assignments.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { assignments, skipped };
}
