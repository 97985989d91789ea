import type { Argv } from 'yargs';
import { packageVersion } from '../../core/version.js';
import { contextOf, type GlobalArgs } from '../context.js';

/** `kumactl version`: the client's version, then the server's (unless --client). */
export function versionCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command(
    'version',
    'Print the client and server versions',
    (a) => a.option('client', { type: 'boolean', default: false, describe: 'only the client version' }),
    async (argv) => {
      const ctx = contextOf(argv);
      ctx.out(`Client: kumactl ${packageVersion()}\n`);
      if (argv.client) return;
      const index = await ctx.client().getJson<{ version?: string; tagline?: string }>('');
      ctx.out(`Server: ${index.tagline === 'Kuma' ? 'kuma-cp' : (index.tagline ?? 'unknown')} ${index.version ?? 'unknown'}\n`);
    },
  );
}
