import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isGui, productionProgram, storeSubscribeCalls } from './store-subscribers.js';

const ROOT = join(import.meta.dirname, '../..');

/** A program over in-memory files (no lib: the checker resolves these calls without one). */
function programOf(files: Readonly<Record<string, string>>): ts.Program {
  const options: ts.CompilerOptions = { noLib: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Bundler };
  const host = ts.createCompilerHost(options);
  host.fileExists = (f) => f in files;
  host.readFile = (f) => files[f];
  host.getSourceFile = (f, target) => (f in files ? ts.createSourceFile(f, files[f] ?? '', target, true) : undefined);
  return ts.createProgram(Object.keys(files), options, host);
}

describe('ResourceStore.subscribe', () => {
  it('is found through the interface and implementing classes, whatever the variable is called; other subscribe methods are not', () => {
    const program = programOf({
      '/r/store.ts': [
        'interface ResourceStore { subscribe(listener: () => void): () => void; }',
        'class MemoryStore implements ResourceStore { subscribe(listener: () => void): () => void { return listener; } }',
        'class AssignmentState { subscribe(listener: () => void): () => void { return listener; } }',
        'function follow(store: ResourceStore) { return store.subscribe(() => undefined); }',
        'const s = new MemoryStore();',
        's.subscribe(() => undefined);',
        'new AssignmentState().subscribe(() => undefined);',
        'export { follow, s };',
      ].join('\n'),
    });
    expect(storeSubscribeCalls(program, '/r', () => true)).toEqual(['store.ts:4', 'store.ts:6']);
  });

  it('has one subscriber in production code: the store view, where every change enters the process', { timeout: 300_000 }, () => {
    const program = productionProgram(ROOT, 'src');
    const calls = storeSubscribeCalls(program, ROOT, (f) => f.startsWith(join(ROOT, 'src')) && !isGui(ROOT, f));
    expect(calls.map((c) => c.replace(/:\d+$/, '')), calls.join(', ')).toEqual(['src/core/view/store-view.ts']);
  });
});
