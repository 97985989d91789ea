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

/** Classes whose instances hold no state that changes after construction: a top-level `new` of them is a constant. */
const IMMUTABLE_CONSTRUCTORS: ReadonlySet<string> = new Set(['TextEncoder', 'TextDecoder', 'Error', 'TypeError', 'RangeError']);

/**
 * The module-level mutable state of one source file: top-level `let`/`var` declarations; top-level `const`s
 * initialised with a mutable container or a metric (`new Map()`, `new Registry()`, ...), with an instance of
 * any other class (`new Foo()`, unless listed in IMMUTABLE_CONSTRUCTORS), with a logger (`logger(...)`,
 * `pino(...)`), or with an array or object literal; and `static` class fields that are not `readonly`, or
 * are `readonly` but hold such a value. A container or literal typed read-only (ReadonlyMap/ReadonlySet,
 * `readonly T[]`, ReadonlyArray, Readonly<...>) or written `as const` is a constant table: the compiler
 * refuses writes through it. Code inside functions and instance members is not module level and not reported.
 */
export function moduleState(fileName: string, text: string): ModuleState[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const out: ModuleState[] = [];
  const report = (node: ts.Node, name: string, kind: string): void => {
    out.push({ file: fileName, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, name, kind });
  };
  for (const statement of source.statements) {
    if (ts.isClassDeclaration(statement)) {
      for (const member of statement.members) {
        if (!ts.isPropertyDeclaration(member) || !hasModifier(member, ts.SyntaxKind.StaticKeyword)) continue;
        const name = `${statement.name?.text ?? 'default'}.${member.name.getText(source)}`;
        const kind = !hasModifier(member, ts.SyntaxKind.ReadonlyKeyword) ? 'static' : mutableValue(member.type, member.initializer, source);
        if (kind) report(member, name, kind === 'static' ? 'static' : `static readonly ${kind}`);
      }
      continue;
    }
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const kind = !isConst ? 'let' : mutableValue(d.type, d.initializer, source);
      if (kind) report(d, d.name.getText(source), kind);
    }
  }
  return out;
}

function hasModifier(node: ts.HasModifiers, kind: ts.SyntaxKind): boolean {
  return (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

/** Why a value declared with `type` and `init` is mutable, or undefined. */
function mutableValue(type: ts.TypeNode | undefined, init: ts.Expression | undefined, source: ts.SourceFile): string | undefined {
  if (type !== undefined && isReadonlyType(type, source)) return undefined;
  let e = init;
  while (e && (ts.isAsExpression(e) || ts.isParenthesizedExpression(e) || ts.isSatisfiesExpression(e))) {
    if (ts.isAsExpression(e) && isReadonlyType(e.type, source)) return undefined;
    e = e.expression;
  }
  if (!e) return undefined;
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression)) {
    const name = e.expression.text;
    return IMMUTABLE_CONSTRUCTORS.has(name) ? undefined : `new ${name}`;
  }
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && (e.expression.text === 'logger' || e.expression.text === 'pino')) return `${e.expression.text}()`;
  if (ts.isArrayLiteralExpression(e)) return '[] literal';
  if (ts.isObjectLiteralExpression(e)) return '{} literal';
  return undefined;
}

/** `as const`, `readonly T[]`, `ReadonlyArray<T>`, `ReadonlyMap`, `ReadonlySet`, `Readonly<T>`. */
function isReadonlyType(type: ts.TypeNode, source: ts.SourceFile): boolean {
  if (ts.isTypeOperatorNode(type) && type.operator === ts.SyntaxKind.ReadonlyKeyword) return true;
  return /^(const$|Readonly(Map|Set|Array)?<)/.test(type.getText(source));
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
