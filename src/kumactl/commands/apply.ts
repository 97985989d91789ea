import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { contextOf, type GlobalArgs } from '../context.js';
import { usageError } from '../kumactl-error.js';
import { parseManifest, parseVars, substituteVars } from '../manifest.js';
import { resourcePath } from '../resource-kinds.js';

/** `kumactl apply -f FILE|- [--var k=v]...`: PUT every document of the file, in order. */
export function applyCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command(
    'apply',
    'Create or update resources from a YAML/JSON file (several documents allowed)',
    (a) =>
      a
        .option('file', { alias: 'f', type: 'string', demandOption: true, describe: 'file to apply, - for stdin' })
        .option('var', { alias: 'v', type: 'string', array: true, default: [] as string[], describe: 'replace {{ key }} in the file: key=value (repeatable)' }),
    async (argv) => {
      const ctx = contextOf(argv);
      const source = argv.file === '-' ? 'stdin' : argv.file;
      const text = substituteVars(readInput(argv.file), parseVars(argv.var.map(String)), source);
      const resources = parseManifest(text, source);
      const client = ctx.client();
      for (const r of resources) {
        const { status } = await client.request('PUT', resourcePath(r.descriptor, r.mesh, r.name), r.body);
        const where = r.mesh ? ` in mesh "${r.mesh}"` : '';
        ctx.out(`${r.descriptor.name} "${r.name}"${where} ${status === 201 ? 'created' : 'updated'}\n`);
      }
    },
  );
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw usageError(`cannot read ${file === '-' ? 'stdin' : file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
