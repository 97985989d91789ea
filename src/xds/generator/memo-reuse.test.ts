import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { defaultPolicies, fixtureFiles, generateAll, inputsOf, loadFixture, type Fixture } from '../../../test/helpers/generator-fixtures.js';
import { buildMeshSnapshot, type MeshSnapshot } from './index.js';

/**
 * Issue 8 (memo keys by inputs): for every golden fixture and every mutation of it (each spec field of each
 * resource changed in turn, each object member and array element removed in turn, each VIP moved, each
 * resource renamed or made older, and on the proxy side: its workload certificate, its admin port, its
 * proxyless client kind and version, which Dataplane it is), a generation that reuses the previous snapshot's
 * memo must equal a fresh generation, byte for byte, and so must a fresh generation of the proxies in reverse
 * order. A resource() key that leaves out anything its builder reads makes a mutation of that input hit a
 * stale entry of the previous snapshot; a derived() key that does makes two proxies of one snapshot that
 * differ in it share a value, whichever comes first.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Mutation {
  readonly what: string;
  readonly fixture: Fixture;
}

/** Another value of the same kind that is likely still valid (durations stay durations, IPs stay IPs). */
function changed(v: Json): Json {
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'boolean') return !v;
  if (typeof v !== 'string') return v;
  const duration = /^(\d+)(ms|s|m|h)$/.exec(v);
  if (duration) return `${Number(duration[1]) + 1}${duration[2]}`;
  const ip = /^(\d+\.\d+\.\d+\.)(\d+)$/.exec(v);
  if (ip) return `${ip[1]}${(Number(ip[2]) + 1) % 255}`;
  return v === '*' ? 'other' : `${v}-x`;
}

/** Every single-point change of `value`: leaves changed, members and elements removed. */
function variants(value: Json, path: string): { path: string; value: Json }[] {
  const out: { path: string; value: Json }[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ path: `${path}[-${i}]`, value: value.filter((_, j) => j !== i) });
      for (const v of variants(item, `${path}[${i}]`)) out.push({ path: v.path, value: value.map((x, j) => (j === i ? v.value : x)) });
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, item] of Object.entries(value)) {
      const { [k]: _removed, ...rest } = value;
      out.push({ path: `${path}.-${k}`, value: rest });
      for (const v of variants(item, `${path}.${k}`)) out.push({ path: v.path, value: { ...value, [k]: v.value } });
    }
  } else {
    out.push({ path, value: changed(value) });
  }
  return out;
}

const clone = <T>(x: T): T => structuredClone(x);

function mutations(base: Fixture): Mutation[] {
  // Defaults become explicit policies so that they are mutated like the others.
  const f: Fixture = clone({ ...base, defaults: false, policies: [...(base.defaults ? defaultPolicies(base.mesh.name) : []), ...(base.policies ?? [])] });
  const out: Mutation[] = [];
  for (const v of variants(f.mesh.spec as Json, 'mesh.spec')) out.push({ what: v.path, fixture: { ...clone(f), mesh: { ...f.mesh, spec: v.value as Record<string, unknown> } } });
  for (const list of LIST_TYPES) {
    (f[list] ?? []).forEach((r, i) => {
      for (const v of variants(r.spec as Json, `${list}[${r.name}].spec`)) {
        const m = clone(f);
        (m[list] ?? [])[i] = { ...r, spec: v.value as Record<string, unknown> };
        out.push({ what: v.path, fixture: m });
      }
    });
  }
  for (const service of Object.keys(f.vips ?? {})) {
    out.push({ what: `vips.${service}`, fixture: { ...clone(f), vips: { ...f.vips, [service]: changed(f.vips?.[service] ?? '') as string } } });
  }
  if (f.localZone) out.push({ what: 'localZone', fixture: { ...clone(f), localZone: `${f.localZone}-x` } });
  out.push(...metaMutations(f), ...proxyMutations(f));
  return out;
}

const LIST_TYPES = ['dataplanes', 'policies', 'externalServices', 'secrets', 'zoneIngresses'] as const;

/** Resource names and creation times (policy ranking reads them); a renamed Dataplane keeps what generates it. */
function metaMutations(f: Fixture): Mutation[] {
  const out: Mutation[] = [];
  for (const list of LIST_TYPES) {
    (f[list] ?? []).forEach((r, i) => {
      const renamed = clone(f);
      const name = `${r.name}-x`;
      (renamed[list] ?? [])[i] = { ...r, name };
      if (list === 'dataplanes') renamed.generate = renamed.generate.map((g) => rename(g, r.name, name));
      out.push({ what: `${list}[${r.name}].name`, fixture: renamed });
      const older = clone(f);
      (older[list] ?? [])[i] = { ...r, creationTime: '2020-06-01T00:00:00Z' };
      out.push({ what: `${list}[${r.name}].creationTime`, fixture: older });
    });
  }
  return out;
}

function rename(g: Fixture['generate'][number], from: string, to: string): Fixture['generate'][number] {
  if ('sidecar' in g && g.sidecar === from) return { ...g, sidecar: to };
  if ('proxyless' in g && g.proxyless === from) return { ...g, proxyless: to };
  if ('ingressDataplane' in g && g.ingressDataplane === from) return { ...g, ingressDataplane: to };
  return g;
}

/** A proxyless client kind that implements more than round robin (its load balancers differ from an unknown client's). */
const RING_HASH_CLIENT = { name: 'gRPC Node Pure JS', version: '1.14.1' };

/**
 * What the generator reads of the proxy rather than of the store: its workload certificate (mTLS), its Envoy
 * admin port (Prometheus endpoint), its proxyless client kind and version, and which Dataplane it is.
 */
function proxyMutations(f: Fixture): Mutation[] {
  const out: Mutation[] = [];
  if (f.identity) {
    const identity = f.identity;
    out.push({ what: 'identity.certPem', fixture: { ...clone(f), identity: { ...identity, certPem: `${identity.certPem}-x` } } });
    out.push({ what: 'identity.keyPem', fixture: { ...clone(f), identity: { ...identity, keyPem: `${identity.keyPem}-x` } } });
  }
  const dataplanes = (f.dataplanes ?? []).map((d) => d.name);
  f.generate.forEach((g, i) => {
    const at = (entry: Fixture['generate'][number]): Fixture => ({ ...clone(f), generate: f.generate.map((x, j) => (j === i ? entry : x)) });
    if ('sidecar' in g) {
      const { adminPort, ...rest } = g;
      out.push({ what: `generate[${i}].adminPort`, fixture: at({ ...rest, adminPort: (adminPort ?? 9901) + 1 }) });
      if (adminPort !== undefined) out.push({ what: `generate[${i}].-adminPort`, fixture: at(rest) });
      for (const other of dataplanes) if (other !== g.sidecar) out.push({ what: `generate[${i}].sidecar=${other}`, fixture: at({ ...g, sidecar: other }) });
    }
    if ('proxyless' in g) {
      const client = g.client ?? RING_HASH_CLIENT;
      out.push({ what: `generate[${i}].client.name`, fixture: at({ ...g, client: { ...client, name: `${client.name}-x` } }) });
      out.push({ what: `generate[${i}].client.version`, fixture: at({ ...g, client: { ...client, version: '1.0.0' } }) });
      out.push({ what: `generate[${i}].client`, fixture: at(g.client ? { proxyless: g.proxyless } : { ...g, client }) });
      for (const other of dataplanes) if (other !== g.proxyless) out.push({ what: `generate[${i}].proxyless=${other}`, fixture: at({ ...g, proxyless: other }) });
    }
  });
  return out;
}

/**
 * Everything the fixture generates (the version is a hash of the bytes), or the error it throws. `reversed`:
 * the proxies are generated in the opposite order (the result is listed in the fixture's order): a derived
 * value shared between two proxies that differ in an input its key leaves out then changes hands.
 */
function outcome(f: Fixture, snap: () => MeshSnapshot, reversed = false): string {
  try {
    const ordered = reversed ? { ...f, generate: [...f.generate].reverse() } : f;
    const results = generateAll(ordered, snap()).map((s) => s.resources.map((r) => `${s.title} ${r.typeUrl} ${r.name} ${r.version}`).join('\n'));
    return (reversed ? results.reverse() : results).join('\n');
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

describe('generation reusing the previous mesh snapshot', () => {
  for (const file of fixtureFiles()) {
    it(`equals a fresh generation for every mutation of ${file.replace('.input.yaml', '')}`, { timeout: 300_000 }, async () => {
      const fixture = loadFixture(file);
      const all = mutations(fixture);
      expect(all.length).toBeGreaterThan(5);
      const stale: string[] = [];
      // The previous snapshot has generated everything the fixture asks for (its memo is filled); a
      // snapshot built from it only reads that memo, so one serves every mutation.
      const previous = buildMeshSnapshot(inputsOf(fixture));
      outcome(fixture, () => previous);
      for (const m of all) {
        // Let the worker answer the runner between mutations (a fixture takes seconds of CPU on a loaded host).
        await setImmediatePromise();
        const inputs = inputsOf(m.fixture);
        const fresh = outcome(m.fixture, () => buildMeshSnapshot(inputs));
        const reused = outcome(m.fixture, () => buildMeshSnapshot(inputs, previous));
        if (fresh !== reused) stale.push(`${m.what} (reusing the previous snapshot)`);
        if (m.fixture.generate.length > 1 && outcome(m.fixture, () => buildMeshSnapshot(inputs), true) !== fresh) stale.push(`${m.what} (proxies in reverse order)`);
      }
      expect(stale, 'mutations whose generation depends on what was generated before (a memo key misses an input)').toEqual([]);
    });
  }
});
