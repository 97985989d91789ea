import type { z } from 'zod';
import type { ResourceTypeName, Scope, Spec } from './model.js';
import type { SpecValidator } from './schemas/define.js';
import { specSchemas, specValidators, type SpecOf } from './schemas/index.js';

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
 * is the spec type `S` (`SpecOf<'Dataplane'>`; there is no hand-written copy of a shape). `N` is its name:
 * `DescriptorOf<'Dataplane'>` is `ResourceType<SpecOf<'Dataplane'>, 'Dataplane'>`.
 */
export interface ResourceType<S extends Spec = Spec, N extends ResourceTypeName = ResourceTypeName> {
  readonly name: N;
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

/** The descriptor of type `N`, its spec type inferred from `N`'s zod schema. */
export type DescriptorOf<N extends ResourceTypeName> = ResourceType<SpecOf<N>, N>;

/** The descriptor of any type, whose `name` narrows the rest (`if (t.name === 'Mesh') t.schema`). */
export type AnyResourceType = { [N in ResourceTypeName]: DescriptorOf<N> }[ResourceTypeName];

/** How the typed reads name a type: by its name (`'Dataplane'`) or by its descriptor (`typeDescriptor('Dataplane')`). */
export type TypeRef<N extends ResourceTypeName> = N | DescriptorOf<N>;

/** The name of a type named either way. */
export function typeNameOf<N extends ResourceTypeName>(ref: TypeRef<N>): N {
  return typeof ref === 'string' ? ref : ref.name;
}

const NO_KDS: Readonly<KdsFlags> = { globalToZone: false, zoneToGlobal: false };
const G2Z: Readonly<KdsFlags> = { globalToZone: true, zoneToGlobal: false };
const Z2G: Readonly<KdsFlags> = { globalToZone: false, zoneToGlobal: true };

/** `specSchemas` seen per name (checked here, type by type), so `schemas[name]` is typed for a generic name. */
const schemas: { readonly [N in ResourceTypeName]: z.ZodType<SpecOf<N>> } = specSchemas;

function d<N extends ResourceTypeName>(
  name: N,
  path: string,
  scope: Scope,
  kds: KdsFlags,
  opts: { readOnlyOnApi?: boolean; admin?: boolean; policy?: boolean } = {},
): DescriptorOf<N> {
  return { name, path, scope, kds, readOnlyOnApi: opts.readOnlyOnApi ?? false, admin: opts.admin ?? false, isPolicy: opts.policy ?? false, schema: schemas[name], validate: specValidators[name] };
}

const POLICY = { policy: true } as const;

/** Every descriptor under its name (the type checks that each key holds its own type's descriptor). */
const byName: Readonly<{ [N in ResourceTypeName]: DescriptorOf<N> }> = {
  Mesh: d('Mesh', 'meshes', 'global', G2Z),
  Dataplane: d('Dataplane', 'dataplanes', 'mesh', Z2G),
  ExternalService: d('ExternalService', 'external-services', 'mesh', G2Z),
  TrafficPermission: d('TrafficPermission', 'traffic-permissions', 'mesh', G2Z, POLICY),
  TrafficRoute: d('TrafficRoute', 'traffic-routes', 'mesh', G2Z, POLICY),
  HealthCheck: d('HealthCheck', 'health-checks', 'mesh', G2Z, POLICY),
  CircuitBreaker: d('CircuitBreaker', 'circuit-breakers', 'mesh', G2Z, POLICY),
  FaultInjection: d('FaultInjection', 'fault-injections', 'mesh', G2Z, POLICY),
  TrafficLog: d('TrafficLog', 'traffic-logs', 'mesh', G2Z, POLICY),
  TrafficTrace: d('TrafficTrace', 'traffic-traces', 'mesh', G2Z, POLICY),
  ProxyTemplate: d('ProxyTemplate', 'proxytemplates', 'mesh', G2Z, POLICY),
  Retry: d('Retry', 'retries', 'mesh', G2Z, POLICY),
  Timeout: d('Timeout', 'timeouts', 'mesh', G2Z, POLICY),
  RateLimit: d('RateLimit', 'rate-limits', 'mesh', G2Z, POLICY),
  Secret: d('Secret', 'secrets', 'mesh', G2Z, { admin: true }),
  GlobalSecret: d('GlobalSecret', 'global-secrets', 'global', G2Z, { admin: true }),
  Zone: d('Zone', 'zones', 'global', NO_KDS),
  // Zone ingresses go zone -> global, and the global re-exports other zones' ingresses to each zone.
  ZoneIngress: d('ZoneIngress', 'zoneingresses', 'global', { globalToZone: true, zoneToGlobal: true }),
  DataplaneInsight: d('DataplaneInsight', 'dataplane-insights', 'mesh', Z2G, { readOnlyOnApi: true }),
  ZoneInsight: d('ZoneInsight', 'zone-insights', 'global', NO_KDS, { readOnlyOnApi: true }),
  ZoneIngressInsight: d('ZoneIngressInsight', 'zoneingress-insights', 'global', Z2G, { readOnlyOnApi: true }),
  VirtualIP: d('VirtualIP', 'virtual-ips', 'global', NO_KDS, { readOnlyOnApi: true }),
};

/** In the registry's order (the REST index and `kumactl` list them so). */
export const resourceTypes: readonly AnyResourceType[] = Object.values(byName);

const byPath: ReadonlyMap<string, ResourceTypeDescriptor> = new Map(resourceTypes.map((t) => [t.path, t]));

/** The mesh policy types (what "a policy" is, defined once by `isPolicy`). */
export const policyTypes: readonly ResourceTypeName[] = resourceTypes.filter((t) => t.isPolicy).map((t) => t.name);

/** The descriptor of `name`, typed by it: `typeDescriptor('Mesh').schema` outputs `SpecOf<'Mesh'>`. */
export function typeDescriptor<N extends ResourceTypeName>(name: N): DescriptorOf<N> {
  // Own keys only: an unchecked string such as 'toString' must not find Object.prototype's.
  if (!Object.hasOwn(byName, name)) throw new Error(`unknown resource type ${name}`);
  return byName[name];
}

export function typeByPath(path: string): ResourceType | undefined {
  return byPath.get(path);
}

export function isResourceTypeName(name: string): name is ResourceTypeName {
  return Object.hasOwn(byName, name);
}
