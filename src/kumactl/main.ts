#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { applyCommand } from './commands/apply.js';
import { configCommand } from './commands/config.js';
import { deleteCommand } from './commands/delete.js';
import { generateCommand } from './commands/generate.js';
import { getCommand } from './commands/get.js';
import { inspectCommand } from './commands/inspect.js';
import { versionCommand } from './commands/version.js';
import { EXIT, KumactlError } from './kumactl-error.js';
import { styleFor } from './style.js';

/** One line on stderr and a meaningful exit code (see kumactl-error.ts); never a stack trace. */
function fail(message: string, code: number): never {
  process.stderr.write(`${styleFor(process.stderr).red('Error:')} ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(code);
}

const base = yargs(hideBin(process.argv))
  .scriptName('kumactl')
  .usage('$0 <command> [options]')
  .option('config-file', { type: 'string', describe: 'kumactl config (default ~/.kumactl/config)' })
  .strict()
  .fail((msg, err) => {
    if (err) throw err;
    fail(`${msg} (see kumactl --help)`, EXIT.usage);
  })
  .help()
  .version(false);

try {
  await [applyCommand, getCommand, deleteCommand, inspectCommand, generateCommand, configCommand, versionCommand]
    .reduce((y, add) => add(y), base)
    .demandCommand(1, 'choose a command: apply, get, delete, inspect, generate, config, version')
    .parseAsync();
} catch (err) {
  if (err instanceof KumactlError) fail(err.message, err.exitCode);
  fail(err instanceof Error ? err.message : String(err), EXIT.refused);
}
