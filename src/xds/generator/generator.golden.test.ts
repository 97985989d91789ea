import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { Resource, ResourceTypeName } from '../../core/resources/model.js';
import { toPlain, validateSet } from '../../../test/helpers/envoy-validate.js';
import type { EncodedResource } from '../resource.js';
import { buildMeshSnapshot, generateIngress, generateProxyless, generateSidecar, ingressOfZoneIngress, type MeshInputs } from './index.js';

/**
 * Fixtures `test/golden/generator/NN-name.input.yaml` (mesh, dataplanes, policies, VIPs, what to generate)
 * -> `NN-name.golden.yaml` (the decoded resources). UPDATE_GOLDEN=1 rewrites the goldens.
 * Every generated set must also decode strictly, satisfy validate.rules and be referentially complete.
 */
const DIR = join(import.meta.dirname, '../../../test/golden/generator');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

interface FixtureResource {
  type?: ResourceTypeName;
  name: string;
  creationTime?: string;
  spec: Record<string, unknown>;
}

interface Fixture {
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
  generate: ({ sidecar: string } | { proxyless: true } | { ingress: string })[];
}

function resource(type: ResourceTypeName, mesh: string, r: FixtureResource): Resource {
  const time = r.creationTime ?? '2021-01-01T00:00:00Z';
  return { type, meta: { name: r.name, mesh, version: 1, creationTime: time, modificationTime: time }, spec: r.spec };
}

function inputsOf(f: Fixture): MeshInputs {
  const mesh = f.mesh.name;
  const policies = new Map<ResourceTypeName, Resource[]>();
  const defaults = f.defaults ? (parse(readFileSync(join(DIR, '_defaults.yaml'), 'utf8')) as FixtureResource[]) : [];
  for (const p of [...defaults, ...(f.policies ?? [])]) {
    const type = p.type ?? 'TrafficRoute';
    const name = p.name.replace(/-default$/, `-${mesh}`);
    policies.set(type, [...(policies.get(type) ?? []), resource(type, mesh, { ...p, name })]);
  }
  return {
    mesh: resource('Mesh', '', f.mesh),
    dataplanes: (f.dataplanes ?? []).map((d) => resource('Dataplane', mesh, d)),
    policies,
    externalServices: (f.externalServices ?? []).map((e) => resource('ExternalService', mesh, e)),
    secrets: (f.secrets ?? []).map((e) => resource('Secret', mesh, e)),
    zoneIngresses: (f.zoneIngresses ?? []).map((z) => resource('ZoneIngress', '', z)),
    vips: new Map(Object.entries(f.vips ?? {})),
    ...(f.localZone ? { localZone: f.localZone } : {}),
  };
}

function render(sets: { title: string; resources: EncodedResource[] }[]): string {
  return sets.map((s) => `# ${s.title}\n${stringify(s.resources.map(toPlain), { lineWidth: 0 })}`).join('---\n');
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.input.yaml'))
  .sort();

describe('generator goldens', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const file of cases) {
    it(file.replace('.input.yaml', ''), () => {
      const fixture = parse(readFileSync(join(DIR, file), 'utf8')) as Fixture;
      const snap = buildMeshSnapshot(inputsOf(fixture));
      const identity = fixture.identity ? { ...fixture.identity, caPem: '', expiresAt: new Date(0), key: 'fixture' } : undefined;
      const inputs = inputsOf(fixture);
      const sets = fixture.generate.map((g) => {
        if ('sidecar' in g) return { title: `sidecar ${g.sidecar}`, resources: generateSidecar(snap, g.sidecar, identity) };
        if ('ingress' in g) {
          const zi = inputs.zoneIngresses.find((z) => z.meta.name === g.ingress);
          if (!zi) throw new Error(`fixture has no ZoneIngress ${g.ingress}`);
          return { title: `ingress ${g.ingress}`, resources: generateIngress(new Map([[snap.mesh, snap]]), ingressOfZoneIngress(zi)) };
        }
        return { title: 'proxyless catalog', resources: generateProxyless(snap) };
      });
      for (const s of sets) expect(validateSet(s.resources), s.title).toEqual([]);
      const actual = render(sets);
      const goldenPath = join(DIR, file.replace('.input.yaml', '.golden.yaml'));
      if (UPDATE || !existsSync(goldenPath)) writeFileSync(goldenPath, actual);
      expect(actual).toEqual(readFileSync(goldenPath, 'utf8'));
    });
  }
});
