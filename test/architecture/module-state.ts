import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** A module-level declaration that holds mutable state, as `file:line name (why)`. */
export interface ModuleState {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly kind: string;
}

const MUTABLE_CONSTRUCTORS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Registry', 'Counter', 'Gauge', 'Histogram', 'Summary', 'EventEmitter']);

/**
 * The module-level mutable state of one source file: top-level `let`/`var` declarations, and top-level
 * `const`s initialised with a mutable container or a metric (`new Map()`, `new Registry()`, ...) or with a
 * logger (`logger(...)`, `pino(...)`), unless typed ReadonlyMap/ReadonlySet. Code inside functions and classes
 * is not module level and not reported.
 */
export function moduleState(fileName: string, text: string): ModuleState[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const out: ModuleState[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const name = d.name.getText(source);
      const line = source.getLineAndCharacterOfPosition(d.getStart(source)).line + 1;
      // A container typed ReadonlyMap/ReadonlySet is a constant table: the compiler refuses writes through it.
      const readonly = d.type !== undefined && /^Readonly(Map|Set)</.test(d.type.getText(source));
      const kind = !isConst ? 'let' : readonly ? undefined : mutableInitializer(d.initializer);
      if (kind) out.push({ file: fileName, line, name, kind });
    }
  }
  return out;
}

function mutableInitializer(init: ts.Expression | undefined): string | undefined {
  let e = init;
  while (e && (ts.isAsExpression(e) || ts.isParenthesizedExpression(e) || ts.isSatisfiesExpression(e))) e = e.expression;
  if (!e) return undefined;
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && MUTABLE_CONSTRUCTORS.has(e.expression.text)) return `new ${e.expression.text}`;
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && (e.expression.text === 'logger' || e.expression.text === 'pino')) return `${e.expression.text}()`;
  return undefined;
}

/** moduleState over every production file under `dir` (tests left out), paths relative to `root`. */
export function productionModuleState(root: string, dir: string): ModuleState[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .flatMap((e) => {
      const file = join(e.parentPath, e.name);
      return moduleState(relative(root, file), readFileSync(file, 'utf8'));
    });
}
