import type { Argv } from 'yargs';
import { contextOf, type GlobalArgs } from '../context.js';
import { KumactlError, EXIT } from '../kumactl-error.js';
import { kindOf, resourcePath } from '../resource-kinds.js';

/** `kumactl delete TYPE NAME [-m MESH]`. */
export function deleteCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command(
    'delete <type> <name>',
    'Delete a resource',
    (a) =>
      a
        .positional('type', { type: 'string', demandOption: true, describe: 'resource type (dataplane, traffic-route, mesh...)' })
        .positional('name', { type: 'string', demandOption: true })
        .option('mesh', { alias: 'm', type: 'string', default: 'default', describe: 'mesh of a mesh-scoped resource' }),
    async (argv) => {
      const ctx = contextOf(argv);
      const { descriptor } = kindOf(argv.type);
      try {
        await ctx.client().request('DELETE', resourcePath(descriptor, argv.mesh, argv.name));
      } catch (err) {
        if (err instanceof KumactlError && err.httpStatus === 404) {
          const where = descriptor.scope === 'mesh' ? ` in mesh "${argv.mesh}"` : '';
          throw new KumactlError(`there is no ${descriptor.name} with name "${argv.name}"${where}`, EXIT.refused);
        }
        throw err;
      }
      ctx.out(`deleted ${descriptor.name} "${argv.name}"\n`);
    },
  );
}
