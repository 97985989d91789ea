/**
 * Generator fixtures `test/golden/generator/NN-name.input.yaml` (mesh, dataplanes, policies, VIPs, what to
 * generate) as MeshInputs, shared by the golden test and the memo property test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Resource, ResourceTypeName } from '../../src/core/resources/model.js';
import type { IssuedIdentity } from '../../src/mtls/workload-identity.js';
import { asResourceOf, asResourcesOf } from '../../src/core/resources/typed-resource.js';
import { generateIngress, generateProxyless, generateSidecar, ingressOfDataplane, ingressOfZoneIngress, withPolicies, type MeshInputs, type PolicyInputs, type MeshSnapshot, type ProxylessClient } from '../../src/xds/generator/index.js';
import type { EncodedResource } from '../../src/xds/resource.js';

export const FIXTURE_DIR = join(import.meta.dirname, '../golden/generator');

export interface FixtureResource {
  type?: ResourceTypeName;
  name: string;
  creationTime?: string;
  spec: Record<string, unknown>;
}

export interface Fixture {
  defaults?: boolean;
  localZone?: string;
  mesh: FixtureResource;
  dataplanes?: FixtureResource[];
  policies?: FixtureResource[];
  zoneIngresses?: FixtureResource[];
  externalServices?: FixtureResource[];
  secrets?: FixtureResource[];
  vips?: Record<string, string>;
  /** With mTLS on: the workload certificate every sidecar is given (any text: Envoy's decoding does not parse PEM). */
  identity?: { certPem: string; keyPem: string };
  /**
   * `client`: a proxyless node's user agent (name and version), which decides the load balancers it gets;
   * `adminPort`: the sidecar's Envoy admin port (node metadata `dataplane.admin.port`); `ingress`: a ZoneIngress of the fixture; `ingressDataplane`: a Kuma 1.1 Dataplane with `networking.ingress`.
   */
  generate: ({ sidecar: string; adminPort?: number } | { proxyless: string; client?: ProxylessClient } | { ingress: string } | { ingressDataplane: string })[];
}

/** The fixture files, sorted. */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.input.yaml'))
    .sort();
}

export function loadFixture(file: string): Fixture {
  return parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Fixture;
}

/** Kuma's per-mesh default policies (`_defaults.yaml`), named for `mesh`. */
export function defaultPolicies(mesh: string): FixtureResource[] {
  const defaults = parse(readFileSync(join(FIXTURE_DIR, '_defaults.yaml'), 'utf8')) as FixtureResource[];
  return defaults.map((p) => ({ ...p, name: p.name.replace(/-default$/, `-${mesh}`) }));
}

function resource(type: ResourceTypeName, mesh: string, r: FixtureResource): Resource {
  const time = r.creationTime ?? '2021-01-01T00:00:00Z';
  return { type, meta: { name: r.name, mesh, version: 1, creationTime: time, modificationTime: time }, spec: r.spec };
}

/** MeshInputs built by hand in tests, with untyped resources (fixtures, literals). */
export interface UntypedMeshInputs extends Omit<MeshInputs, 'mesh' | 'dataplanes' | 'policies' | 'externalServices' | 'secrets' | 'zoneIngresses'> {
  mesh: Resource;
  dataplanes: readonly Resource[];
  /** By type, or a list (each resource under its own `type`). */
  policies: ReadonlyMap<ResourceTypeName, readonly Resource[]> | readonly Resource[];
  externalServices: readonly Resource[];
  secrets?: readonly Resource[];
  zoneIngresses: readonly Resource[];
}

/**
 * Hand-built inputs as MeshInputs: the tests' one step from untyped to typed resources (`asResourceOf`; the
 * tests write specs as the store would hold them).
 */
export function typedInputs(u: UntypedMeshInputs): MeshInputs {
  let policies: PolicyInputs = {};
  const entries: [ResourceTypeName, readonly Resource[]][] = Array.isArray(u.policies) ? u.policies.map((r: Resource) => [r.type, [r]]) : [...(u.policies as ReadonlyMap<ResourceTypeName, readonly Resource[]>)];
  for (const [type, list] of entries) policies = addPolicies(policies, type, list);
  const { mesh, dataplanes, externalServices, secrets, zoneIngresses, ...rest } = u;
  return {
    ...rest,
    mesh: asResourceOf('Mesh', mesh),
    dataplanes: asResourcesOf('Dataplane', [...dataplanes]),
    policies,
    externalServices: asResourcesOf('ExternalService', [...externalServices]),
    ...(secrets ? { secrets: asResourcesOf('Secret', [...secrets]) } : {}),
    zoneIngresses: asResourcesOf('ZoneIngress', [...zoneIngresses]),
  };
}

function addPolicies<N extends ResourceTypeName>(policies: PolicyInputs, type: N, list: readonly Resource[]): PolicyInputs {
  return withPolicies(policies, type, [...(policies[type] ?? []), ...asResourcesOf(type, [...list])]);
}

export function inputsOf(f: Fixture): MeshInputs {
  const mesh = f.mesh.name;
  const policies = new Map<ResourceTypeName, Resource[]>();
  for (const p of [...(f.defaults ? defaultPolicies(mesh) : []), ...(f.policies ?? [])]) {
    const type = p.type ?? 'TrafficRoute';
    policies.set(type, [...(policies.get(type) ?? []), resource(type, mesh, p)]);
  }
  return typedInputs({
    mesh: resource('Mesh', '', f.mesh),
    dataplanes: (f.dataplanes ?? []).map((d) => resource('Dataplane', mesh, d)),
    policies,
    externalServices: (f.externalServices ?? []).map((e) => resource('ExternalService', mesh, e)),
    secrets: (f.secrets ?? []).map((e) => resource('Secret', mesh, e)),
    zoneIngresses: (f.zoneIngresses ?? []).map((z) => resource('ZoneIngress', '', z)),
    vips: new Map(Object.entries(f.vips ?? {})),
    ...(f.localZone ? { localZone: f.localZone } : {}),
  });
}

/** What the fixture asks to generate, from `snap`. */
export function generateAll(f: Fixture, snap: MeshSnapshot): { title: string; resources: EncodedResource[] }[] {
  const identity: IssuedIdentity | undefined = f.identity ? { ...f.identity, caPem: '', expiresAt: new Date(0), key: 'fixture' } : undefined;
  return f.generate.map((g) => {
    if ('sidecar' in g) return { title: `sidecar ${g.sidecar}`, resources: generateSidecar(snap, g.sidecar, identity, g.adminPort) };
    if ('ingress' in g) {
      const zi = (f.zoneIngresses ?? []).find((z) => z.name === g.ingress);
      if (!zi) throw new Error(`fixture has no ZoneIngress ${g.ingress}`);
      const ingress = ingressOfZoneIngress(asResourceOf('ZoneIngress', resource('ZoneIngress', '', zi)));
      return { title: `ingress ${g.ingress}`, resources: generateIngress(new Map([[snap.mesh, snap]]), ingress) };
    }
    if ('ingressDataplane' in g) {
      const dp = (f.dataplanes ?? []).find((d) => d.name === g.ingressDataplane);
      const ingress = dp && ingressOfDataplane(asResourceOf('Dataplane', resource('Dataplane', snap.mesh, dp)));
      if (!ingress) throw new Error(`fixture has no ingress Dataplane ${g.ingressDataplane}`);
      return { title: `ingress dataplane ${g.ingressDataplane}`, resources: generateIngress(new Map([[snap.mesh, snap]]), ingress) };
    }
    const title = g.client ? `proxyless ${g.proxyless} (${g.client.name} ${g.client.version})` : `proxyless ${g.proxyless}`;
    return { title, resources: generateProxyless(snap, g.proxyless, g.client) };
  });
}
