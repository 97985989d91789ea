import type { Argv } from 'yargs';
import type { ResourceTypeDescriptor } from '../../core/resources/registry.js';
import { ago, contextOf, type GlobalArgs } from '../context.js';
import { usageError } from '../kumactl-error.js';
import { OUTPUT_FORMATS, parseOutputFormat, serialise } from '../output.js';
import { kindOf, resourcePath } from '../resource-kinds.js';
import { renderTable } from '../table.js';

type ApiResource = Record<string, unknown> & { name: string; mesh?: string; creationTime?: string };

/** `kumactl get TYPEs [-m MESH]` and `kumactl get TYPE NAME [-m MESH]`, as a table, YAML or JSON. */
export function getCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command(
    'get <type> [name]',
    'Show resources (get dataplanes, get traffic-route NAME...)',
    (a) =>
      a
        .positional('type', { type: 'string', demandOption: true, describe: 'resource type, plural to list' })
        .positional('name', { type: 'string' })
        .option('mesh', { alias: 'm', type: 'string', default: 'default', describe: 'mesh of mesh-scoped resources' })
        .option('output', { alias: 'o', type: 'string', choices: OUTPUT_FORMATS, default: 'table' }),
    async (argv) => {
      const ctx = contextOf(argv);
      const { descriptor, plural } = kindOf(argv.type);
      const format = parseOutputFormat(argv.output);
      const client = ctx.client();
      if (argv.name === undefined) {
        if (!plural) throw usageError(`"kumactl get ${argv.type}" needs a NAME; use "kumactl get ${descriptor.path}" to list`);
        const items = await client.listAll<ApiResource>(resourcePath(descriptor, argv.mesh));
        if (format !== 'table') ctx.out(serialise({ total: items.length, items, next: null }, format));
        else ctx.out(table(descriptor, items));
        return;
      }
      const item = await client.getJson<ApiResource>(resourcePath(descriptor, argv.mesh, argv.name));
      ctx.out(format === 'table' ? table(descriptor, [item]) : serialise(item, format));
    },
  );
}

function table(t: ResourceTypeDescriptor, items: readonly ApiResource[]): string {
  const age = (r: ApiResource): string => ago(r.creationTime);
  if (t.name === 'Mesh') {
    const backend = (r: ApiResource, section: string): string => {
      const s = r[section] as { enabledBackend?: string; defaultBackend?: string } | undefined;
      return s?.enabledBackend ?? s?.defaultBackend ?? 'off';
    };
    return renderTable(
      ['name', 'mtls', 'metrics', 'logging', 'tracing', 'age'],
      items.map((r) => [r.name, backend(r, 'mtls'), backend(r, 'metrics'), backend(r, 'logging'), backend(r, 'tracing'), age(r)]),
    );
  }
  if (t.name === 'Dataplane') return renderTable(['mesh', 'name', 'tags', 'age'], items.map((r) => [r.mesh ?? '', r.name, dataplaneTags(r), age(r)]));
  if (t.scope === 'mesh') return renderTable(['mesh', 'name', 'age'], items.map((r) => [r.mesh ?? '', r.name, age(r)]));
  return renderTable(['name', 'age'], items.map((r) => [r.name, age(r)]));
}

/** `key=value` pairs of every inbound (or the gateway), sorted, as kumactl shows them. */
export function dataplaneTags(dp: Record<string, unknown>): string {
  const net = dp['networking'] as { inbound?: { tags?: Record<string, string> }[]; gateway?: { tags?: Record<string, string> } } | undefined;
  const sets = net?.gateway ? [net.gateway.tags ?? {}] : (net?.inbound ?? []).map((i) => i.tags ?? {});
  const pairs = new Set<string>();
  for (const tags of sets) for (const [k, v] of Object.entries(tags)) pairs.add(`${k}=${v}`);
  return [...pairs].sort().join(' ');
}
