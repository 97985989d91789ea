import type { ResourceTypeName, Scope, Spec } from './model.js';
import { specValidators } from './schemas/index.js';

/**
 * Validates a spec for a resource named `name` in `mesh` and returns it normalised (defaults applied,
 * unknown fields refused). Throws ValidationError with every violation (Kuma field paths and messages).
 */
export type SpecValidator = (spec: unknown, key: { name: string; mesh: string }) => Spec;

export interface KdsFlags {
  /** Synced from the global to every zone. */
  readonly globalToZone: boolean;
  /** Synced from a zone to the global (stored there as `<zone>.<name>`). */
  readonly zoneToGlobal: boolean;
}

export interface ResourceTypeDescriptor {
  readonly name: ResourceTypeName;
  /** REST path segment: `/meshes/{mesh}/{path}/{name}` or `/{path}/{name}` for global scope. */
  readonly path: string;
  readonly scope: Scope;
  /** Written only by the control plane itself (insights, VIPs); GET-only on the API. */
  readonly readOnlyOnApi: boolean;
  /** Only reachable by admins in Kuma (secrets); listed without data. */
  readonly admin: boolean;
  readonly kds: KdsFlags;
  readonly validate: SpecValidator;
}

const NO_KDS: KdsFlags = { globalToZone: false, zoneToGlobal: false };
const G2Z: KdsFlags = { globalToZone: true, zoneToGlobal: false };
const Z2G: KdsFlags = { globalToZone: false, zoneToGlobal: true };

function d(
  name: ResourceTypeName,
  path: string,
  scope: Scope,
  kds: KdsFlags,
  opts: { readOnlyOnApi?: boolean; admin?: boolean } = {},
): ResourceTypeDescriptor {
  return { name, path, scope, kds, readOnlyOnApi: opts.readOnlyOnApi ?? false, admin: opts.admin ?? false, validate: specValidators[name] };
}

export const resourceTypes: readonly ResourceTypeDescriptor[] = [
  d('Mesh', 'meshes', 'global', G2Z),
  d('Dataplane', 'dataplanes', 'mesh', Z2G),
  d('ExternalService', 'external-services', 'mesh', G2Z),
  d('TrafficPermission', 'traffic-permissions', 'mesh', G2Z),
  d('TrafficRoute', 'traffic-routes', 'mesh', G2Z),
  d('HealthCheck', 'health-checks', 'mesh', G2Z),
  d('CircuitBreaker', 'circuit-breakers', 'mesh', G2Z),
  d('FaultInjection', 'fault-injections', 'mesh', G2Z),
  d('TrafficLog', 'traffic-logs', 'mesh', G2Z),
  d('TrafficTrace', 'traffic-traces', 'mesh', G2Z),
  d('ProxyTemplate', 'proxytemplates', 'mesh', G2Z),
  d('Retry', 'retries', 'mesh', G2Z),
  d('Timeout', 'timeouts', 'mesh', G2Z),
  d('RateLimit', 'rate-limits', 'mesh', G2Z),
  d('Secret', 'secrets', 'mesh', G2Z, { admin: true }),
  d('GlobalSecret', 'global-secrets', 'global', G2Z, { admin: true }),
  d('Zone', 'zones', 'global', NO_KDS),
  // Zone ingresses go zone -> global, and the global re-exports other zones' ingresses to each zone.
  d('ZoneIngress', 'zoneingresses', 'global', { globalToZone: true, zoneToGlobal: true }),
  d('DataplaneInsight', 'dataplane-insights', 'mesh', Z2G, { readOnlyOnApi: true }),
  d('ZoneInsight', 'zone-insights', 'global', NO_KDS, { readOnlyOnApi: true }),
  d('ZoneIngressInsight', 'zoneingress-insights', 'global', Z2G, { readOnlyOnApi: true }),
  d('VirtualIP', 'virtual-ips', 'global', NO_KDS, { readOnlyOnApi: true }),
];

const byName = new Map(resourceTypes.map((t) => [t.name, t]));
const byPath = new Map(resourceTypes.map((t) => [t.path, t]));

export function typeDescriptor(name: ResourceTypeName): ResourceTypeDescriptor {
  const t = byName.get(name);
  if (!t) throw new Error(`unknown resource type ${name}`);
  return t;
}

export function typeByPath(path: string): ResourceTypeDescriptor | undefined {
  return byPath.get(path);
}

export function isResourceTypeName(name: string): name is ResourceTypeName {
  return byName.has(name as ResourceTypeName);
}
