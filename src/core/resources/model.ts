/**
 * The resource model shared by the store, the manager, the API, xDS, DNS and KDS.
 *
 * A resource is `{type, meta, spec}`. On the REST API it is flattened Kuma-style into
 * `{type, mesh, name, creationTime, modificationTime, ...spec}` (see api-server/resource-json.ts).
 */
export type ResourceTypeName =
  | 'Mesh'
  | 'Dataplane'
  | 'ExternalService'
  | 'TrafficPermission'
  | 'TrafficRoute'
  | 'HealthCheck'
  | 'CircuitBreaker'
  | 'FaultInjection'
  | 'TrafficLog'
  | 'TrafficTrace'
  | 'ProxyTemplate'
  | 'Retry'
  | 'Timeout'
  | 'RateLimit'
  | 'Secret'
  | 'GlobalSecret'
  | 'Zone'
  | 'ZoneIngress'
  | 'DataplaneInsight'
  | 'ZoneInsight'
  | 'ZoneIngressInsight'
  | 'VirtualIP';

/** Global-scoped types live outside any mesh; their `mesh` is the empty string everywhere internally. */
export type Scope = 'mesh' | 'global';

export interface ResourceKey {
  readonly name: string;
  /** '' for global-scoped types. */
  readonly mesh: string;
}

export interface ResourceMeta extends ResourceKey {
  /** Monotonic per resource, starts at 1; used for optimistic concurrency. */
  readonly version: number;
  /** RFC 3339 timestamps. */
  readonly creationTime: string;
  readonly modificationTime: string;
  /** Free-form labels; `kuma.io/zone` / `kuma.io/origin` mark synced resources. */
  readonly labels?: Readonly<Record<string, string>>;
}

export type Spec = Record<string, unknown>;

export interface Resource<S = Spec> {
  readonly type: ResourceTypeName;
  readonly meta: ResourceMeta;
  readonly spec: S;
}

/** A resource that owns another; deleting the owner deletes what it owns (cascade). */
export interface OwnerRef {
  readonly type: ResourceTypeName;
  readonly name: string;
  readonly mesh: string;
}

export function keyOf(r: { readonly meta: ResourceKey }): ResourceKey {
  return { name: r.meta.name, mesh: r.meta.mesh };
}

export function describeKey(type: ResourceTypeName, key: ResourceKey): string {
  return key.mesh ? `${type} ${key.mesh}/${key.name}` : `${type} ${key.name}`;
}
