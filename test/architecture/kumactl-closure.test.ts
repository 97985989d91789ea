import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runtimeClosure, runtimeImportGraph } from './import-graph.js';

const ROOT = join(import.meta.dirname, '../..');

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
    const closure = runtimeClosure(runtimeImportGraph(ROOT, 'src'), 'src/kumactl/main.ts');
    expect(closure).toContain('src/kumactl/commands/inspect.ts');
    expect(closure.filter((f) => !CLIENT_SAFE.some((re) => re.test(f)))).toEqual([]);
  });
});
