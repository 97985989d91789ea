#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { migrateUpCommand } from './migrate.js';
import { runCommand } from './run.js';
import { packageVersion } from '../core/version.js';

await yargs(hideBin(process.argv))
  .scriptName('kuma-cp')
  .usage('$0 <command> [options]')
  .command(
    'run',
    'Run the control plane',
    (y) =>
      y
        .option('mode', { type: 'string', choices: ['standalone', 'global', 'remote', 'zone'], describe: 'control-plane mode (zone = remote)' })
        .option('zone', { type: 'string', describe: 'zone name (remote mode)' })
        .option('global-address', { type: 'string', describe: 'KDS address of the global CP, grpc://HOST:PORT (remote mode)' })
        .option('config-file', { alias: 'c', type: 'string', describe: 'YAML config file' })
        .option('log-level', { type: 'string', choices: ['debug', 'info', 'warn', 'error', 'off'], describe: 'log level' })
        .option('log-format', { type: 'string', choices: ['text', 'json'], describe: 'log lines as text (default on a terminal) or JSON' }),
    async (argv) => {
      const code = await runCommand(argv['config-file'], {
        ...(argv.mode !== undefined ? { mode: argv.mode } : {}),
        ...(argv.zone !== undefined ? { zone: argv.zone } : {}),
        ...(argv['global-address'] !== undefined ? { globalAddress: argv['global-address'] } : {}),
        ...(argv['log-level'] !== undefined ? { logLevel: argv['log-level'] } : {}),
        ...(argv['log-format'] !== undefined ? { logFormat: argv['log-format'] } : {}),
      });
      // Exit explicitly: a peer's lingering socket must not keep a stopped control plane alive.
      process.exit(code);
    },
  )
  .command('migrate', 'Manage the store schema', (y) =>
    y
      .command(
        'up',
        'Apply the pending schema migrations (Postgres: required before the first run and after an upgrade)',
        (yy) => yy.option('config-file', { alias: 'c', type: 'string', describe: 'YAML config file' }),
        async (argv) => {
          process.exit(await migrateUpCommand(argv['config-file']));
        },
      )
      .demandCommand(1, 'choose a subcommand: up'),
  )
  .command('version', 'Print the version', {}, () => {
    process.stdout.write(`kuma-cp: ${packageVersion()}\n`);
  })
  .demandCommand(1, 'choose a command: run, migrate or version')
  .strict()
  .fail((msg, err) => {
    if (err) throw err;
    // One line, like every other refusal at start: yargs spreads some messages (bad choices) over several.
    process.stderr.write(`kuma-cp: ${msg.replace(/\s*\n\s*/g, ' ')} (see kuma-cp --help)\n`);
    process.exit(1);
  })
  .help()
  .parseAsync();
