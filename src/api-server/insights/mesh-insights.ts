import type { ResourceTypeName } from '../../core/resources/model.js';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import type { MeshSpec } from '../../core/resources/specs.js';
import { count, emptyCounts, type Counts, type DataplaneFacts, type DataplaneKind } from './dataplane-facts.js';
import type { ServiceInsight } from './service-insights.js';

/** Kuma's MeshInsight, computed on request from the store (never stale). */
export interface MeshInsight {
  readonly type: 'MeshInsight';
  readonly name: string;
  readonly creationTime: string;
  readonly modificationTime: string;
  readonly dataplanes: Counts;
  readonly dataplanesByType: Record<DataplaneKind, Counts>;
  readonly policies: Partial<Record<ResourceTypeName, { total: number }>>;
  readonly services: { total: number; internal: number; external: number };
  readonly dpVersions: { kumaDp: Record<string, Counts> };
  /** What `kumactl inspect meshes` shows: the enabled backend of each mesh feature ('off' when none). */
  readonly backends: { mtls: string; metrics: string; logging: string; tracing: string; locality: boolean };
}

export function meshInsight(
  mesh: ResourceOf<'Mesh'>,
  dataplanes: readonly DataplaneFacts[],
  policyCounts: ReadonlyMap<ResourceTypeName, number>,
  services: readonly ServiceInsight[],
): MeshInsight {
  const all = emptyCounts();
  const byType: Record<DataplaneKind, Counts> = { standard: emptyCounts(), gateway: emptyCounts() };
  const versions: Record<string, Counts> = {};
  for (const dp of dataplanes) {
    count(all, dp.online);
    count(byType[dp.kind], dp.online);
    count((versions[dp.kumaDpVersion ?? 'unknown'] ??= emptyCounts()), dp.online);
  }
  const policies: Partial<Record<ResourceTypeName, { total: number }>> = {};
  for (const [type, total] of policyCounts) if (total > 0) policies[type] = { total };
  const external = services.filter((s) => s.serviceType === 'external').length;
  return {
    type: 'MeshInsight',
    name: mesh.meta.name,
    creationTime: mesh.meta.creationTime,
    modificationTime: mesh.meta.modificationTime,
    dataplanes: all,
    dataplanesByType: byType,
    policies,
    services: { total: services.length, internal: services.length - external, external },
    dpVersions: { kumaDp: versions },
    backends: meshBackends(mesh.spec),
  };
}

function meshBackends(spec: Partial<MeshSpec>): MeshInsight['backends'] {
  const enabled = (section: unknown): string => {
    const s = section as { enabledBackend?: string; defaultBackend?: string; backends?: readonly { name?: string; type?: string }[] } | undefined;
    const name = s?.enabledBackend ?? s?.defaultBackend;
    if (!name) return 'off';
    const type = s?.backends?.find((b) => b.name === name)?.type;
    return type ? `${type}/${name}` : name;
  };
  return { mtls: enabled(spec.mtls), metrics: enabled(spec.metrics), logging: enabled(spec.logging), tracing: enabled(spec.tracing), locality: spec.routing?.localityAwareLoadBalancing === true };
}
