import type { ResourceKey, ResourceTypeName, Spec } from '../resources/model.js';

/** A write that has been validated but not applied: the new spec, or `undefined` for a deletion. */
export interface ProposedChange {
  readonly type: ResourceTypeName;
  readonly key: ResourceKey;
  readonly spec: Spec | undefined;
}

/** One xDS resource whose presence or version would change. */
export interface ResourceChange {
  readonly typeUrl: string;
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Version now (absent for an added resource). */
  readonly before?: string;
  /** Version after the change (absent for a removed resource). */
  readonly after?: string;
  /** Unified diff of the resource as Envoy JSON (before -> after). */
  readonly diff: string;
}

export interface ProxyDryRun {
  readonly mesh: string;
  readonly name: string;
  /** `envoy` (sidecar) or `proxyless`; a data plane that is not connected is assumed to be a sidecar. */
  readonly kind: string;
  readonly connected: boolean;
  /** Per type: the type version now and after. */
  readonly types: readonly { readonly typeUrl: string; readonly before: string; readonly after: string }[];
  readonly resources: readonly ResourceChange[];
}

export interface DryRunResult {
  /** Meshes whose proxies were computed. */
  readonly meshes: readonly string[];
  /** Proxies examined (every data plane of those meshes). */
  readonly examined: number;
  /** Only the proxies whose configuration would change. */
  readonly proxies: readonly ProxyDryRun[];
  /** Proxies whose configuration could not be generated with the change (nothing would reach them). */
  readonly errors: readonly { readonly mesh: string; readonly name: string; readonly error: string }[];
}

/**
 * Computes what a write would do to every affected proxy's xDS configuration without storing it or
 * sending anything. Implemented next to the generators (src/xds/inspect), reached by the API through
 * this type only.
 */
export type DryRunner = (change: ProposedChange) => Promise<DryRunResult>;
