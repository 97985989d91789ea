import type { Argv } from 'yargs';
import { PROXY_TYPES, ZONE_SCOPES } from '../../core/tokens/token-kinds.js';
import { contextOf, type GlobalArgs } from '../context.js';
import { usageError } from '../kumactl-error.js';

/** `--tag key=value` (repeatable) into Kuma's token tags `{key: [values...]}`. */
export function parseTokenTags(tags: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const t of tags) {
    const eq = t.indexOf('=');
    if (eq <= 0) throw usageError(`--tag "${t}" must be key=value`);
    const key = t.slice(0, eq);
    const values = t.slice(eq + 1).split(',').filter((v) => v !== '');
    if (values.length === 0) throw usageError(`--tag "${t}" has no value`);
    out[key] = [...(out[key] ?? []), ...values];
  }
  return out;
}

/**
 * `kumactl generate dataplane-token|zone-token`: Kuma's flags, sent to `POST /tokens/dataplane|zone` of the
 * active control plane (admin only); the token is printed alone on stdout so it can be captured.
 */
export function generateCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command('generate', 'Generate tokens', (g) =>
    g
      .command(
        'dataplane-token',
        'Generate a data-plane token (on the control plane the data plane connects to)',
        (a) =>
          a
            .option('mesh', { alias: 'm', type: 'string', default: 'default', describe: 'mesh of the data plane' })
            .option('name', { type: 'string', default: '', describe: 'name of the Dataplane (empty: any)' })
            .option('tag', { type: 'string', array: true, default: [] as string[], describe: 'required tag of the data plane, key=value[,value] (repeatable)' })
            .option('type', { type: 'string', choices: PROXY_TYPES, describe: 'proxy type' })
            .option('valid-for', { type: 'string', describe: 'how long the token is valid, e.g. 24h, 30m (default 10 years)' }),
        async (argv) => {
          const ctx = contextOf(argv);
          const body = {
            mesh: argv.mesh,
            name: argv.name,
            tags: parseTokenTags(argv.tag.map(String)),
            ...(argv.type !== undefined ? { type: argv.type } : {}),
            ...(argv['valid-for'] !== undefined ? { validFor: argv['valid-for'] } : {}),
          };
          ctx.out(`${(await ctx.client().request('POST', 'tokens/dataplane', body)).body}\n`);
        },
      )
      .command(
        'zone-token',
        'Generate a zone token (on the global control plane)',
        (a) =>
          a
            .option('zone', { type: 'string', demandOption: true, describe: 'name of the zone' })
            .option('scope', { type: 'string', array: true, default: [...ZONE_SCOPES] as string[], describe: `what the token may be used for (repeatable; default all): ${ZONE_SCOPES.join(', ')}` })
            .option('valid-for', { type: 'string', describe: 'how long the token is valid, e.g. 8760h (default 10 years)' }),
        async (argv) => {
          const ctx = contextOf(argv);
          const scope = argv.scope.flatMap((s) => String(s).split(',')).filter((s) => s !== '');
          const body = { zone: argv.zone, scope, ...(argv['valid-for'] !== undefined ? { validFor: argv['valid-for'] } : {}) };
          ctx.out(`${(await ctx.client().request('POST', 'tokens/zone', body)).body}\n`);
        },
      )
      .demandCommand(1, 'choose: dataplane-token or zone-token'),
  );
}
