import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runtimeClosure, runtimeImportGraph, type ImportGraph } from './import-graph.js';

const ROOT = join(import.meta.dirname, '../..');

/**
 * The production graph of src/, built once: transpiling every file takes tens of seconds on a loaded machine.
 * Import cycles (type-only imports included) are refused by `npm run lint` (madge --circular).
 */
let production: ImportGraph;
beforeAll(() => {
  production = runtimeImportGraph(ROOT, 'src');
}, 180_000);

describe('run-time import graph', () => {
  it('type-only imports are not run-time edges; value imports are', () => {
    expect(production.get('src/core/view/store-view.ts')).toContain('src/core/view/type-table.ts');
    // store-view.ts imports Resource, ResourceKey and ResourceTypeName (model.ts) as types only.
    expect(production.get('src/core/view/store-view.ts')).not.toContain('src/core/resources/model.ts');
  });
});

/**
 * kumactl talks to the control plane through its REST API only. At run time it may load its own files and
 * core's shared vocabulary (resource types and schemas, errors, version, YAML error wording, token request
 * kinds), never server code: no subsystem, store, manager, runtime, signing or validation of tokens.
 * The lint (eslint.config.mjs) refuses direct imports of server folders; this catches what comes in transitively.
 */
const CLIENT_SAFE = [/^src\/kumactl\//, /^src\/core\/resources\//, /^src\/core\/(errors|version|yaml-error)\.ts$/, /^src\/core\/tokens\/token-kinds\.ts$/];

describe('kumactl layering', () => {
  it('the run-time closure of an entry point follows imports transitively', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    expect(runtimeClosure(graph, 'a.ts')).toEqual(['a.ts', 'b.ts', 'c.ts']);
  });

  it('kumactl loads no control-plane code at run time', () => {
    const closure = runtimeClosure(production, 'src/kumactl/main.ts');
    expect(closure).toContain('src/kumactl/commands/inspect.ts');
    expect(closure.filter((f) => !CLIENT_SAFE.some((re) => re.test(f)))).toEqual([]);
  });
});
