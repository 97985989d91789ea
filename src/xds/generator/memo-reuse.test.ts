import { describe, expect, it } from 'vitest';
import { defaultPolicies, fixtureFiles, generateAll, inputsOf, loadFixture, type Fixture } from '../../../test/helpers/generator-fixtures.js';
import { buildMeshSnapshot, type MeshSnapshot } from './index.js';

/**
 * Issue 8 (memo keys by inputs): for every golden fixture and every mutation of it (each spec field of each
 * resource changed in turn, each object member and array element removed in turn, each VIP moved), a
 * generation that reuses the previous snapshot's memo must equal a fresh generation, byte for byte. A memo
 * key that leaves out anything its builder reads makes a mutation of that input hit a stale entry.
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
  const lists = ['dataplanes', 'policies', 'externalServices', 'secrets', 'zoneIngresses'] as const;
  for (const v of variants(f.mesh.spec as Json, 'mesh.spec')) out.push({ what: v.path, fixture: { ...clone(f), mesh: { ...f.mesh, spec: v.value as Record<string, unknown> } } });
  for (const list of lists) {
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
  return out;
}

/** Everything the fixture generates (the version is a hash of the bytes), or the error it throws. */
function outcome(f: Fixture, snap: () => MeshSnapshot): string {
  try {
    return generateAll(f, snap())
      .flatMap((s) => s.resources.map((r) => `${s.title} ${r.typeUrl} ${r.name} ${r.version}`))
      .join('\n');
  } catch (err) {
    return `error: ${err instanceof Error ? err.message : String(err)}`;
  }
}

describe('generation reusing the previous mesh snapshot', () => {
  for (const file of fixtureFiles()) {
    it(`equals a fresh generation for every mutation of ${file.replace('.input.yaml', '')}`, { timeout: 120_000 }, () => {
      const fixture = loadFixture(file);
      const all = mutations(fixture);
      expect(all.length).toBeGreaterThan(5);
      const stale: string[] = [];
      // The previous snapshot has generated everything the fixture asks for (its memo is filled); a
      // snapshot built from it only reads that memo, so one serves every mutation.
      const previous = buildMeshSnapshot(inputsOf(fixture));
      outcome(fixture, () => previous);
      for (const m of all) {
        const inputs = inputsOf(m.fixture);
        const fresh = outcome(m.fixture, () => buildMeshSnapshot(inputs));
        const reused = outcome(m.fixture, () => buildMeshSnapshot(inputs, previous));
        if (fresh !== reused) stale.push(m.what);
      }
      expect(stale, 'mutations whose reusing generation differs from a fresh one (a memo key misses an input)').toEqual([]);
    });
  }
});
