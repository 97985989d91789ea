import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** file -> the files it imports at run time (relative specifiers only). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^'";]*?\sfrom\s)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/**
 * The run-time import graph of the production sources under `dir` (tests left out): each file is transpiled
 * as tsc emits it, so imports used only as types (elided) are not edges; dynamic `import()` is not an edge
 * (it does not run at module initialisation).
 */
export function runtimeImportGraph(root: string, dir: string): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(join(root, dir))) {
    const js = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const deps = [...js.matchAll(STATIC_IMPORT)].map((m) => relative(root, resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts'))));
    graph.set(relative(root, file), deps);
  }
  return graph;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Every file `entry` loads at run time, itself included, sorted. */
export function runtimeClosure(graph: ImportGraph, entry: string): string[] {
  const seen = new Set<string>();
  const todo = [entry];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...(graph.get(f) ?? []));
  }
  return [...seen].sort();
}
