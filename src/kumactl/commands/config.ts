import type { Argv } from 'yargs';
import { ApiClient } from '../api-client.js';
import { addControlPlane, AUTH_TYPES, controlPlanes, type ApiAuth, loadKumactlConfig, removeControlPlane, saveKumactlConfig, useControlPlane } from '../config-file.js';
import { contextOf, type GlobalArgs } from '../context.js';
import { usageError } from '../kumactl-error.js';
import { renderTable } from '../table.js';

/** `kumactl config control-planes add|use|list|remove`, stored in ~/.kumactl/config (or --config-file). */
export function configCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command('config', 'Manage kumactl configuration', (c) =>
    c
      .command('control-planes', 'Manage known control planes', (cp) =>
        cp
          .command(
            'list',
            'List control planes',
            (a) => a,
            (argv) => {
              const ctx = contextOf(argv);
              const rows = controlPlanes(loadKumactlConfig(ctx.configPath)).map((p) => [p.active ? '*' : '', p.name, p.url]);
              ctx.out(renderTable(['active', 'name', 'address'], rows));
            },
          )
          .command(
            'add',
            'Add a control plane and switch to it (checks that it answers)',
            (a) =>
              a
                .option('name', { type: 'string', demandOption: true })
                .option('address', { type: 'string', demandOption: true, describe: 'URL of the API server, e.g. http://localhost:5681' })
                .option('overwrite', { type: 'boolean', default: false })
                .option('auth-type', { type: 'string', choices: AUTH_TYPES, describe: 'how to authenticate: tokens (a user token sent as Bearer)' })
                .option('auth-conf', { type: 'string', array: true, default: [] as string[], describe: 'authentication settings, key=value (tokens: token=<user token>)' }),
            async (argv) => {
              const ctx = contextOf(argv);
              const url = apiUrl(argv.address);
              const auth = authOf(argv['auth-type'], argv['auth-conf'].map(String));
              const config = addControlPlane(loadKumactlConfig(ctx.configPath), argv.name, url, argv.overwrite, auth);
              const index = await new ApiClient(url, auth).getJson<{ tagline?: string }>('');
              if (typeof index.tagline !== 'string') throw usageError(`${url} does not answer like a Kuma API server`);
              saveKumactlConfig(ctx.configPath, config);
              ctx.out(`added Control Plane "${argv.name}"\nswitched active Control Plane to "${argv.name}"\n`);
            },
          )
          .command(
            'use',
            'Switch to a control plane',
            (a) => a.option('name', { type: 'string', demandOption: true }),
            (argv) => {
              const ctx = contextOf(argv);
              saveKumactlConfig(ctx.configPath, useControlPlane(loadKumactlConfig(ctx.configPath), argv.name));
              ctx.out(`switched active Control Plane to "${argv.name}"\n`);
            },
          )
          .command(
            'remove',
            'Forget a control plane',
            (a) => a.option('name', { type: 'string', demandOption: true }),
            (argv) => {
              const ctx = contextOf(argv);
              saveKumactlConfig(ctx.configPath, removeControlPlane(loadKumactlConfig(ctx.configPath), argv.name));
              ctx.out(`removed Control Plane "${argv.name}"\n`);
            },
          )
          .demandCommand(1, 'choose: list, add, use or remove'),
      )
      .demandCommand(1, 'choose: control-planes'),
  );
}

function apiUrl(address: string): string {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw usageError(`--address "${address}" is not a URL (e.g. http://localhost:5681)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--address "${address}" must be http:// or https://`);
  return url.toString().replace(/\/$/, '');
}

/** `--auth-type tokens --auth-conf token=...`; auth settings without a type (or a type without its settings) are refused. */
export function authOf(authType: string | undefined, conf: readonly string[]): ApiAuth | undefined {
  const authConf: Record<string, string> = {};
  for (const kv of conf) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw usageError(`--auth-conf "${kv}" must be key=value`);
    authConf[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (authType === undefined) {
    if (conf.length > 0) throw usageError('--auth-conf needs --auth-type');
    return undefined;
  }
  if (authType !== 'tokens') throw usageError(`--auth-type "${authType}" is not one of: ${AUTH_TYPES.join(', ')}`);
  const unknown = Object.keys(authConf).filter((k) => k !== 'token');
  if (unknown.length > 0) throw usageError(`--auth-conf ${unknown.join(', ')} is not a setting of --auth-type=tokens (only token=...)`);
  if (!authConf['token']) throw usageError('--auth-type=tokens needs --auth-conf token=<user token>');
  return { authType, authConf };
}
