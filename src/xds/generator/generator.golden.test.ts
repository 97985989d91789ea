import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { toPlain, validateSet } from '../../../test/helpers/envoy-validate.js';
import { expectGolden } from '../../../test/helpers/golden.js';
import { FIXTURE_DIR, fixtureFiles, generateAll, inputsOf, loadFixture } from '../../../test/helpers/generator-fixtures.js';
import type { EncodedResource } from '../resource.js';
import { buildMeshSnapshot } from './index.js';

/**
 * Fixtures `test/golden/generator/NN-name.input.yaml` (mesh, dataplanes, policies, VIPs, what to generate)
 * -> `NN-name.golden.yaml` (the decoded resources). UPDATE_GOLDEN=1 rewrites the goldens; a missing one fails.
 * Every generated set must also decode strictly, satisfy validate.rules and be referentially complete.
 */
function render(sets: { title: string; resources: EncodedResource[] }[]): string {
  return sets.map((s) => `# ${s.title}\n${stringify(s.resources.map(toPlain), { lineWidth: 0 })}`).join('---\n');
}

const cases = fixtureFiles();

describe('generator goldens', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const file of cases) {
    it(file.replace('.input.yaml', ''), () => {
      const fixture = loadFixture(file);
      const sets = generateAll(fixture, buildMeshSnapshot(inputsOf(fixture)));
      for (const s of sets) expect(validateSet(s.resources), s.title).toEqual([]);
      const actual = render(sets);
      expectGolden(join(FIXTURE_DIR, file.replace('.input.yaml', '.golden.yaml')), actual);
    });
  }
});
