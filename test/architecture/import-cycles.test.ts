import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles, runtimeImportGraph } from './import-graph.js';

const ROOT = join(import.meta.dirname, '../..');

describe('import cycles', () => {
  it('finds a cycle, a self-import, and none in a tree', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    expect(importCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('type-only imports are not run-time edges; value imports are', () => {
    const graph = runtimeImportGraph(ROOT, 'src/core/view');
    expect(graph.get('src/core/view/store-view.ts')).toContain('src/core/view/type-table.ts');
    // store-view.ts imports ResourceStore as a type only.
    expect(graph.get('src/core/view/store-view.ts')).not.toContain('src/core/store/resource-store.ts');
  });

  it('production code under src/ has no run-time import cycle', () => {
    expect(importCycles(runtimeImportGraph(ROOT, 'src'))).toEqual([]);
  });
});
