import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Where `program`'s files (those `include` accepts) call `subscribe` of a ResourceStore: on the interface, or
 * on a class that implements it. Resolved by the type checker, so other `subscribe` methods (MADS state, KDS
 * senders) and stores reached through any variable name are told apart. As `file:line`, paths relative to `root`.
 */
export function storeSubscribeCalls(program: ts.Program, root: string, include: (fileName: string) => boolean): string[] {
  const checker = program.getTypeChecker();
  const out: string[] = [];
  for (const source of program.getSourceFiles()) {
    if (source.isDeclarationFile || !include(source.fileName)) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'subscribe') {
        const declaration = checker.getResolvedSignature(node)?.declaration;
        if (declaration && isStoreSubscribe(declaration)) {
          out.push(`${relative(root, source.fileName)}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out.sort();
}

function isStoreSubscribe(declaration: ts.Declaration): boolean {
  const owner = declaration.parent;
  if (ts.isInterfaceDeclaration(owner)) return owner.name.text === STORE;
  if (ts.isClassDeclaration(owner)) {
    return (owner.heritageClauses ?? []).some((h) => h.token === ts.SyntaxKind.ImplementsKeyword && h.types.some((t) => ts.isIdentifier(t.expression) && t.expression.text === STORE));
  }
  return false;
}

const STORE = 'ResourceStore';

/** A program over the production files of `dir` (tests and the browser GUI left out), with the repo's compiler options. */
export function productionProgram(root: string, dir: string): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
  if (!config) throw new Error('tsconfig.json not readable');
  const files = readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !isGui(root, f));
  return ts.createProgram(files, { ...config.options, noEmit: true });
}

export function isGui(root: string, fileName: string): boolean {
  return relative(root, fileName).startsWith(join('src', 'gui'));
}
