import { isIP } from 'node:net';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import {
  PROTOCOL_TAG,
  SERVICE_TAG,
  ZONE_TAG,
  type DataplaneSpec,
  type MeshSpec,
  type Tags,
  type ZoneIngressSpec,
} from '../../core/resources/specs.js';
import type { Logger } from '../../core/logging.js';
import { meshCaMaterial, type MeshCaMaterial } from '../../mtls/mesh-ca.js';
import { contentVersion, encodeResource, type EnvoyObject } from '../envoy/encode.js';
import type { EncodedResource, TypeUrl } from '../resource.js';
import type { OutboundProtocol } from './policy-conf.js';
import { resolveExternalServices, type ExternalServiceGroup } from './external-services.js';
import { CanonicalKeys } from './canonical.js';
import { circuitBreakerWarnings } from './circuit-breaker.js';
import { commonProtocol, toProtocol } from './protocol.js';
import { observabilityWarnings } from './observability-warnings.js';
import type { MeshPolicies } from './mesh-policies.js';
import type { ResourceMemo } from './resource-memo.js';
import { noEffectNotes, type NoEffectNote } from './inbound-http-policies.js';
import { reportNoEffect } from './no-effect-log.js';

/** One healthy instance of a service: a Dataplane inbound, or a remote zone's ingress. */
export interface ServiceEndpoint {
  readonly address: string;
  readonly port: number;
  /** All tags of the inbound (or available service). */
  readonly tags: Tags;
  readonly zone: string;
  readonly weight: number;
}

/** A mesh's policies by type, each list typed by its type's schema (a type without policies may be absent). */
export type PolicyInputs = { readonly [N in ResourceTypeName]?: readonly ResourceOf<N>[] };

/** The lists of the types `K` (writable: to build a PolicyInputs). */
type PolicyLists<K extends ResourceTypeName> = { [N in K]?: readonly ResourceOf<N>[] };

/** `policies` with the list of `type` replaced by `list`. */
export function withPolicies<N extends ResourceTypeName>(policies: PolicyInputs, type: N, list: readonly ResourceOf<N>[]): PolicyInputs {
  const out: PolicyLists<ResourceTypeName> = { ...policies };
  const ofType: PolicyLists<N> = out;
  ofType[type] = list;
  return out;
}

export interface MeshInputs {
  mesh: ResourceOf<'Mesh'>;
  dataplanes: readonly ResourceOf<'Dataplane'>[];
  policies: PolicyInputs;
  externalServices: readonly ResourceOf<'ExternalService'>[];
  /** The mesh's Secrets (ExternalService TLS DataSources of kind `secret`). */
  secrets?: readonly ResourceOf<'Secret'>[];
  zoneIngresses: readonly ResourceOf<'ZoneIngress'>[];
  /** service -> VIP */
  vips: ReadonlyMap<string, string>;
  localZone?: string;
  /** Where the snapshot logs its new warnings (the runtime's logger); none: not logged (goldens, dry runs). */
  log?: Logger;
}

/**
 * Immutable per-mesh state built once per mesh change and shared by every proxy of the mesh: dataplanes,
 * endpoints and protocol per service, policies, VIPs, plus a memo of encoded resources so that a
 * resource identical for many proxies is built and encoded once and the same object is handed to all.
 *
 * Built from the `previous` snapshot of the mesh, it also reuses that snapshot's encoded resources by key
 * (unchanged resources keep their bytes and version without being rebuilt, checked and hashed again).
 * Only the previous generation is kept, and only what that generation used: an entry no snapshot asked
 * for since the last rebuild is dropped with it, so the memory stays bounded by two generations.
 */
export class MeshSnapshot implements ResourceMemo {
  readonly mesh: string;
  readonly meshSpec: MeshSpec;
  readonly localZone: string | undefined;
  readonly dataplanes: ReadonlyMap<string, Resource<DataplaneSpec>>;
  /** Healthy endpoints per service, local ones first, sorted. */
  readonly endpoints: ReadonlyMap<string, readonly ServiceEndpoint[]>;
  readonly protocols: ReadonlyMap<string, OutboundProtocol>;
  /** Distinct inbound ports per service, ascending. */
  readonly servicePorts: ReadonlyMap<string, readonly number[]>;
  /** Every service with at least one endpoint, sorted. */
  readonly services: readonly string[];
  readonly vips: ReadonlyMap<string, string>;
  readonly policies: MeshPolicies;
  /** Usable ExternalServices by service (services Dataplanes offer are not among them). */
  readonly externalServices: ReadonlyMap<string, ExternalServiceGroup>;
  /** Services of ExternalServices that could not be resolved (e.g. missing Secret): nothing routes to them. */
  readonly unusableExternalServices: ReadonlySet<string>;
  /** mTLS on: the mesh CA (or why it cannot be read: then no proxy of the mesh can be configured). */
  readonly mtls: { readonly ca: MeshCaMaterial; readonly digest: string } | { readonly error: string } | undefined;
  /** FaultInjections and RateLimits that select an inbound they cannot act on (each logged once, when it first appears). */
  readonly noEffect: readonly NoEffectNote[];
  /** Problems found while building the snapshot (each logged once, when it first appears). */
  readonly warnings: readonly string[];
  private readonly memo = new Map<string, EncodedResource>();
  /** Derived values per computing function, then per canonical text of its parameter object. */
  private readonly values = new Map<Derivation<never, unknown>, Map<string, unknown>>();
  /** Canonical texts of the parameter objects' parts, remembered for this snapshot. */
  private readonly keys = new CanonicalKeys();
  /** The previous snapshot's memo (not the snapshot itself, so older generations are not kept alive). */
  private readonly inherited: ReadonlyMap<string, EncodedResource> | undefined;

  constructor(inputs: MeshInputs, previous?: MeshSnapshot) {
    this.inherited = previous?.mesh === inputs.mesh.meta.name ? previous.memo : undefined;
    this.mesh = inputs.mesh.meta.name;
    this.meshSpec = inputs.mesh.spec;
    this.localZone = inputs.localZone;
    this.vips = inputs.vips;
    this.dataplanes = new Map(inputs.dataplanes.map((d) => [d.meta.name, d]));
    const byService = new Map<string, ServiceEndpoint[]>();
    const ports = new Map<string, Set<number>>();
    for (const dp of this.dataplanes.values()) collectInbounds(dp, inputs.localZone, byService, ports);
    if (this.meshSpec.mtls?.enabledBackend) {
      for (const ingress of inputs.zoneIngresses) collectIngress(ingress, this.mesh, inputs.localZone, byService);
    }
    for (const list of byService.values()) list.sort(compareEndpoints);
    this.endpoints = byService;
    const protocols = new Map([...byService].map(([svc, eps]) => [svc, commonProtocol(eps.map((e) => toProtocol(e.tags[PROTOCOL_TAG])))]));
    const external = resolveExternalServices(inputs.externalServices, inputs.secrets ?? [], new Set(byService.keys()));
    for (const [svc, es] of external.byService) protocols.set(svc, es.protocol);
    this.protocols = protocols;
    this.externalServices = external.byService;
    this.unusableExternalServices = external.unusable;
    const p = inputs.policies;
    this.policies = {
      trafficRoutes: p.TrafficRoute ?? [],
      trafficPermissions: p.TrafficPermission ?? [],
      timeouts: p.Timeout ?? [],
      retries: p.Retry ?? [],
      healthChecks: p.HealthCheck ?? [],
      circuitBreakers: p.CircuitBreaker ?? [],
      faultInjections: p.FaultInjection ?? [],
      rateLimits: p.RateLimit ?? [],
      trafficLogs: p.TrafficLog ?? [],
      trafficTraces: p.TrafficTrace ?? [],
      proxyTemplates: p.ProxyTemplate ?? [],
    };
    this.noEffect = noEffectNotes(this.dataplanes.values(), this.policies.faultInjections, this.policies.rateLimits);
    reportNoEffect(this.mesh, this.noEffect, previous?.mesh === this.mesh ? previous.noEffect : [], inputs.log);
    const ca = meshCaMaterial(this.mesh, this.meshSpec, inputs.secrets ?? []);
    this.mtls = ca && 'ca' in ca ? { ca: ca.ca, digest: contentVersion(Buffer.from(`${ca.ca.backend}\n${ca.ca.certPem}`)) } : ca;
    this.warnings = [...external.warnings, ...circuitBreakerWarnings(this.policies.circuitBreakers), ...(ca && 'error' in ca ? [ca.error] : []), ...observabilityWarnings(this)];
    const known = new Set(previous?.mesh === this.mesh ? previous.warnings : []);
    for (const warning of this.warnings) if (!known.has(warning)) inputs.log?.warn({ mesh: this.mesh }, warning);
    this.servicePorts = new Map([...ports].map(([svc, set]) => [svc, [...set].sort((a, b) => a - b)]));
    this.services = [...byService.keys()].sort();
  }

  protocolOf(service: string): OutboundProtocol {
    return this.protocols.get(service) ?? 'tcp';
  }

  /**
   * The encoded resource `name` of `typeUrl` that `build` makes from `params`, built only if neither this
   * snapshot nor the previous one has it. The memo key is the canonical text of `params` itself, so `build`
   * must read nothing but its arguments (a module-level function of the parameter object; no closure over
   * the snapshot or the proxy): then nothing it depends on can be missing from the key, and equal keys mean
   * equal bytes across snapshots. Checked by the memo property test over every golden fixture.
   */
  resource<P>(typeUrl: TypeUrl, name: string, params: P, build: (params: P, name: string) => EnvoyObject): EncodedResource {
    const memoKey = `${typeUrl}\n${name}\n${this.keys.of(params)}`;
    let encoded = this.memo.get(memoKey);
    if (!encoded) {
      encoded = this.inherited?.get(memoKey) ?? encodeResource(typeUrl, name, build(params, name));
      this.memo.set(memoKey, encoded);
    }
    return encoded;
  }

  /**
   * The value `compute` derives from this snapshot and `params` (a policy plan, a shared group), computed once
   * per distinct parameters per snapshot. The key is `compute` itself and the canonical text of `params`, as
   * for `resource()`: `compute` must be a module-level function reading nothing but its two arguments (no
   * closure over the proxy), so nothing it depends on can be missing from the key. The snapshot is not part
   * of the key: derived values live and die with it (they are not inherited by the next one), so a
   * SnapshotKeyed value of this snapshot in `params` stands for itself by its short key.
   */
  derived<P, T>(params: P, compute: Derivation<P, T>): T {
    let byParams = this.values.get(compute);
    if (!byParams) this.values.set(compute, (byParams = new Map<string, unknown>()));
    const key = this.keys.of(params, 'snapshot');
    if (byParams.has(key)) return byParams.get(key) as T;
    const value = compute(this, params);
    byParams.set(key, value);
    return value;
  }
}

/** A value derived from a mesh snapshot and a parameter object (see MeshSnapshot.derived). */
export type Derivation<P, T> = (snap: MeshSnapshot, params: P) => T;

function collectInbounds(dp: Resource<DataplaneSpec>, localZone: string | undefined, byService: Map<string, ServiceEndpoint[]>, ports: Map<string, Set<number>>): void {
  const net = dp.spec.networking;
  if (net.ingress) return;
  for (const inbound of net.inbound ?? []) {
    const service = inbound.tags[SERVICE_TAG];
    if (!service || inbound.health?.ready === false) continue;
    const address = inbound.address ?? net.advertisedAddress ?? net.address;
    // EDS endpoints must be IP literals (Envoy without a resolver, proxyless gRPC clients).
    if (!isIP(address)) continue;
    push(byService, service, { address, port: inbound.port, tags: inbound.tags, zone: inbound.tags[ZONE_TAG] ?? localZone ?? '', weight: 1 });
    let set = ports.get(service);
    if (!set) ports.set(service, (set = new Set()));
    set.add(inbound.port);
  }
}

/**
 * Services of other zones are reached through their zone's ingress (Kuma: only with mTLS on, the TLS passes
 * through it): one endpoint per available service at the ingress's advertised address, weight = instances,
 * tags = the service's tags plus `kuma.io/zone`. An ingress without an IP address to advertise is skipped.
 */
function collectIngress(ingress: Resource<ZoneIngressSpec>, mesh: string, localZone: string | undefined, byService: Map<string, ServiceEndpoint[]>): void {
  const spec = ingress.spec;
  if (!spec.zone || spec.zone === localZone) return;
  const address = spec.networking.advertisedAddress ?? spec.networking.address;
  const port = spec.networking.advertisedPort ?? spec.networking.port;
  if (!isIP(address) || !port) return;
  for (const available of spec.availableServices ?? []) {
    const service = available.tags[SERVICE_TAG];
    if (!service || (available.mesh ?? mesh) !== mesh) continue;
    const zone = available.tags[ZONE_TAG] ?? spec.zone;
    push(byService, service, { address, port, tags: { ...available.tags, [ZONE_TAG]: zone }, zone, weight: Math.max(1, available.instances ?? 1) });
  }
}

function push(map: Map<string, ServiceEndpoint[]>, key: string, value: ServiceEndpoint): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compareEndpoints(a: ServiceEndpoint, b: ServiceEndpoint): number {
  return a.zone.localeCompare(b.zone) || a.address.localeCompare(b.address) || a.port - b.port;
}
