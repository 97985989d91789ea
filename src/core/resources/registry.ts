import type { z } from 'zod';
import type { ResourceTypeName, Scope, Spec } from './model.js';
import type { SpecValidator } from './schemas/define.js';
import { specSchemas, specValidators } from './schemas/index.js';

export type { SpecOf } from './schemas/index.js';
export type { SpecValidator } from './schemas/define.js';

export interface KdsFlags {
  /** Synced from the global to every zone. */
  readonly globalToZone: boolean;
  /** Synced from a zone to the global (stored there as `<zone>.<name>`). */
  readonly zoneToGlobal: boolean;
}

/**
 * A resource type: its name, REST path, scope, KDS direction, API rules, and its zod schema, whose output
 * is the spec type `S` (`SpecOf<'Dataplane'>`; there is no hand-written copy of a shape).
 */
export interface ResourceType<S extends Spec = Spec> {
  readonly name: ResourceTypeName;
  /** REST path segment: `/meshes/{mesh}/{path}/{name}` or `/{path}/{name}` for global scope. */
  readonly path: string;
  readonly scope: Scope;
  /** Written only by the control plane itself (insights, VIPs); GET-only on the API. */
  readonly readOnlyOnApi: boolean;
  /** Only reachable by admins in Kuma (secrets); listed without data. */
  readonly admin: boolean;
  readonly kds: KdsFlags;
  /** A mesh policy: selects data planes and shapes their configuration (xDS reads every policy type of a mesh). */
  readonly isPolicy: boolean;
  /** Shape and types only; `validate` adds Kuma's rules on top of it. */
  readonly schema: z.ZodType<S>;
  readonly validate: SpecValidator;
}

/** Kept for the code that names descriptors this way. */
export type ResourceTypeDescriptor = ResourceType;

const NO_KDS: Readonly<KdsFlags> = { globalToZone: false, zoneToGlobal: false };
const G2Z: Readonly<KdsFlags> = { globalToZone: true, zoneToGlobal: false };
const Z2G: Readonly<KdsFlags> = { globalToZone: false, zoneToGlobal: true };

function d(
  name: ResourceTypeName,
  path: string,
  scope: Scope,
  kds: KdsFlags,
  opts: { readOnlyOnApi?: boolean; admin?: boolean; policy?: boolean } = {},
): ResourceType {
  return { name, path, scope, kds, readOnlyOnApi: opts.readOnlyOnApi ?? false, admin: opts.admin ?? false, isPolicy: opts.policy ?? false, schema: specSchemas[name], validate: specValidators[name] };
}

const POLICY = { policy: true } as const;

export const resourceTypes: readonly ResourceType[] = [
  d('Mesh', 'meshes', 'global', G2Z),
  d('Dataplane', 'dataplanes', 'mesh', Z2G),
  d('ExternalService', 'external-services', 'mesh', G2Z),
  d('TrafficPermission', 'traffic-permissions', 'mesh', G2Z, POLICY),
  d('TrafficRoute', 'traffic-routes', 'mesh', G2Z, POLICY),
  d('HealthCheck', 'health-checks', 'mesh', G2Z, POLICY),
  d('CircuitBreaker', 'circuit-breakers', 'mesh', G2Z, POLICY),
  d('FaultInjection', 'fault-injections', 'mesh', G2Z, POLICY),
  d('TrafficLog', 'traffic-logs', 'mesh', G2Z, POLICY),
  d('TrafficTrace', 'traffic-traces', 'mesh', G2Z, POLICY),
  d('ProxyTemplate', 'proxytemplates', 'mesh', G2Z, POLICY),
  d('Retry', 'retries', 'mesh', G2Z, POLICY),
  d('Timeout', 'timeouts', 'mesh', G2Z, POLICY),
  d('RateLimit', 'rate-limits', 'mesh', G2Z, POLICY),
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

const byName: ReadonlyMap<ResourceTypeName, ResourceTypeDescriptor> = new Map(resourceTypes.map((t) => [t.name, t]));
const byPath: ReadonlyMap<string, ResourceTypeDescriptor> = new Map(resourceTypes.map((t) => [t.path, t]));

/** The mesh policy types (what "a policy" is, defined once by `isPolicy`). */
export const policyTypes: readonly ResourceTypeName[] = resourceTypes.filter((t) => t.isPolicy).map((t) => t.name);

export function typeDescriptor(name: ResourceTypeName): ResourceType {
  const t = byName.get(name);
  if (!t) throw new Error(`unknown resource type ${name}`);
  return t;
}

export function typeByPath(path: string): ResourceType | undefined {
  return byPath.get(path);
}

export function isResourceTypeName(name: string): name is ResourceTypeName {
  return byName.has(name as ResourceTypeName);
}
