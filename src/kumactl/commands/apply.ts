import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { contextOf, type GlobalArgs } from '../context.js';
import { usageError } from '../kumactl-error.js';
import { renderDryRun, type DryRunAnswer } from '../dry-run-report.js';
import { parseManifest, parseVars, substituteVars } from '../manifest.js';
import { OUTPUT_FORMATS, parseOutputFormat, serialise } from '../output.js';
import { resourcePath } from '../resource-kinds.js';

/** `kumactl apply -f FILE|- [--var k=v]... [--dry-run]`: PUT every document of the file, in order (or only ask what it would change). */
export function applyCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command(
    'apply',
    'Create or update resources from a YAML/JSON file (several documents allowed)',
    (a) =>
      a
        .option('file', { alias: 'f', type: 'string', demandOption: true, describe: 'file to apply, - for stdin' })
        .option('var', { alias: 'v', type: 'string', array: true, default: [] as string[], describe: 'replace {{ key }} in the file: key=value (repeatable)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'write nothing: show which proxies each resource would change, and how' })
        .option('output', { alias: 'o', type: 'string', choices: OUTPUT_FORMATS, default: 'table', describe: 'with --dry-run: the API answer as yaml or json' }),
    async (argv) => {
      const ctx = contextOf(argv);
      const source = argv.file === '-' ? 'stdin' : argv.file;
      const text = substituteVars(readInput(argv.file), parseVars(argv.var.map(String)), source);
      const resources = parseManifest(text, source);
      const client = ctx.client();
      const format = parseOutputFormat(argv.output);
      for (const r of resources) {
        const where = r.mesh ? ` in mesh "${r.mesh}"` : '';
        const path = resourcePath(r.descriptor, r.mesh, r.name);
        if (argv['dry-run']) {
          // Each document is tried against what is stored now, not on top of the documents before it.
          const { body } = await client.request('PUT', `${path}?dryRun=true`, r.body);
          const answer = JSON.parse(body) as DryRunAnswer;
          ctx.out(format === 'table' ? renderDryRun(`${r.descriptor.name} "${r.name}"${where}`, answer, ctx.style) : serialise(answer, format));
          continue;
        }
        const { status } = await client.request('PUT', path, r.body);
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
