import type { Argv } from 'yargs';
import { summariseSubscriptions, type SubscriptionTimes } from '../../core/resources/subscriptions.js';
import type { ApiClient } from '../api-client.js';
import { ago, contextOf, type CommandContext, type GlobalArgs } from '../context.js';
import { usageError } from '../kumactl-error.js';
import { OUTPUT_FORMATS, parseOutputFormat, serialise, type OutputFormat } from '../output.js';
import { renderTable } from '../table.js';
import { dataplaneTags } from './get.js';

type Json = Record<string, unknown>;

interface Counts {
  online?: number;
  total?: number;
}

/** `kumactl inspect dataplanes|meshes|services|zones|zoneingresses`: resources joined with their status. */
export function inspectCommand<T extends GlobalArgs>(y: Argv<T>): Argv<T> {
  return y.command(
    'inspect <what> [name]',
    'Inspect status: dataplanes, meshes, services, zones, zoneingresses; dataplane NAME --type=config-dump|policies',
    (a) =>
      a
        .positional('what', { type: 'string', demandOption: true })
        .positional('name', { type: 'string' })
        .option('mesh', { alias: 'm', type: 'string', default: 'default', describe: 'mesh (dataplanes, services)' })
        .option('tag', { type: 'string', array: true, default: [] as string[], describe: 'only data planes with this tag, key=value (repeatable)' })
        .option('type', { type: 'string', choices: ['config-dump', 'policies'], describe: 'what to show about one dataplane or zone ingress' })
        .option('output', { alias: 'o', type: 'string', choices: OUTPUT_FORMATS, default: 'table' }),
    async (argv) => {
      const ctx = contextOf(argv);
      const format = parseOutputFormat(argv.output);
      const client = ctx.client();
      const mesh = encodeURIComponent(argv.mesh);
      switch (argv.what) {
        case 'dataplanes': {
          const q = argv.tag.map((t) => `tag=${encodeURIComponent(String(t).replace('=', ':'))}`).join('&');
          return show(ctx, format, await client.listAll<Json>(`meshes/${mesh}/dataplanes+insights${q ? `?${q}` : ''}`), (items) => dataplaneRows(ctx, items));
        }
        case 'meshes':
          return show(ctx, format, await client.listAll<Json>('mesh-insights'), meshRows);
        case 'services':
          return show(ctx, format, await client.listAll<Json>(`meshes/${mesh}/service-insights`), serviceRows);
        case 'zones':
          return show(ctx, format, await client.listAll<Json>('zones+insights'), (items) => subscriptionRows(ctx, items, 'zoneInsight'));
        case 'zoneingresses':
        case 'zone-ingresses':
          return show(ctx, format, await client.listAll<Json>('zoneingresses+insights'), (items) => subscriptionRows(ctx, items, 'zoneIngressInsight'));
        case 'dataplane':
        case 'zoneingress':
        case 'zone-ingress':
          return inspectOne(ctx, client, argv.what, argv.name, argv.mesh, argv.type, format);
        default:
          throw usageError(`cannot inspect "${argv.what}"; one of: dataplanes, meshes, services, zones, zoneingresses, dataplane NAME, zoneingress NAME`);
      }
    },
  );
}

type Rows = (items: readonly Json[]) => [string[], string[][]];

function show(ctx: CommandContext, format: OutputFormat, items: readonly Json[], rows: Rows): void {
  if (format !== 'table') {
    ctx.out(serialise({ total: items.length, items, next: null }, format));
    return;
  }
  const [headers, body] = rows(items);
  ctx.out(renderTable(headers, body));
}

function status(ctx: CommandContext, online: boolean): string {
  return online ? ctx.style.green('Online') : ctx.style.red('Offline');
}

function dataplaneRows(ctx: CommandContext, items: readonly Json[]): [string[], string[][]] {
  const headers = ['mesh', 'name', 'tags', 'status', 'last connected ago', 'last updated ago', 'total updates', 'total errors', 'kuma-dp version'];
  return [
    headers,
    items.map((o) => {
      const subs = (o['dataplaneInsight'] as { subscriptions?: (SubscriptionTimes & { version?: { kumaDp?: { version?: string } } })[] } | undefined)?.subscriptions;
      const s = summariseSubscriptions(subs);
      const version = subs?.[subs.length - 1]?.version?.kumaDp?.version ?? '-';
      return [String(o['mesh']), String(o['name']), dataplaneTags((o['dataplane'] as Json | undefined) ?? {}), status(ctx, s.online), ago(s.lastConnected), ago(s.lastUpdated), String(s.totalUpdates), String(s.totalErrors), version];
    }),
  ];
}

function meshRows(items: readonly Json[]): [string[], string[][]] {
  return [
    ['name', 'mtls', 'metrics', 'logging', 'tracing', 'locality', 'services', 'dps online/total', 'policies'],
    items.map((m) => {
      const b = (m['backends'] ?? {}) as { mtls?: string; metrics?: string; logging?: string; tracing?: string; locality?: boolean };
      const dps = (m['dataplanes'] ?? {}) as Counts;
      const services = (m['services'] ?? {}) as { total?: number };
      const policies = Object.values((m['policies'] ?? {}) as Record<string, { total?: number }>).reduce((n, p) => n + (p.total ?? 0), 0);
      return [String(m['name']), b.mtls ?? 'off', b.metrics ?? 'off', b.logging ?? 'off', b.tracing ?? 'off', b.locality ? 'on' : 'off', String(services.total ?? 0), `${dps.online ?? 0}/${dps.total ?? 0}`, String(policies)];
    }),
  ];
}

function serviceRows(items: readonly Json[]): [string[], string[][]] {
  return [
    ['service', 'type', 'status', 'dps online/total', 'zones'],
    items.map((s) => {
      const dps = (s['dataplanes'] ?? {}) as Counts;
      const zones = (s['zones'] ?? []) as string[];
      return [String(s['name']), String(s['serviceType']), String(s['status']), `${dps.online ?? 0}/${dps.total ?? 0}`, zones.join(',') || '-'];
    }),
  ];
}

function subscriptionRows(ctx: CommandContext, items: readonly Json[], insightField: string): [string[], string[][]] {
  return [
    ['name', 'status', 'last connected ago', 'last updated ago', 'total updates', 'total errors'],
    items.map((z) => {
      const s = summariseSubscriptions((z[insightField] as { subscriptions?: SubscriptionTimes[] } | undefined)?.subscriptions);
      const enabled = (z['zone'] as { enabled?: boolean } | undefined)?.enabled !== false;
      const state = enabled ? status(ctx, s.online) : ctx.style.yellow('Disabled');
      return [String(z['name']), state, ago(s.lastConnected), ago(s.lastUpdated), String(s.totalUpdates), String(s.totalErrors)];
    }),
  ];
}

async function inspectOne(ctx: CommandContext, client: ApiClient, what: string, name: string | undefined, mesh: string, type: string | undefined, format: OutputFormat): Promise<void> {
  if (!name) throw usageError(`"kumactl inspect ${what}" needs a NAME`);
  const dataplane = what === 'dataplane';
  const base = dataplane ? `meshes/${encodeURIComponent(mesh)}/dataplanes/${encodeURIComponent(name)}` : `zoneingresses/${encodeURIComponent(name)}`;
  const kind = type ?? 'config-dump';
  if (kind === 'policies') {
    if (!dataplane) throw usageError('--type=policies applies to a dataplane');
    const answer = await client.getJson<{ items?: Json[] }>(`${base}/policies`);
    if (format !== 'table') return void ctx.out(serialise(answer, format));
    return void ctx.out(renderTable(...policyRows(answer.items ?? [])));
  }
  const dump = await client.getJson<Json>(`${base}/xds`);
  // A config dump is Envoy JSON: YAML on request, JSON otherwise (tables make no sense for it).
  ctx.out(serialise(dump, format === 'yaml' ? 'yaml' : 'json'));
}

function policyRows(items: readonly Json[]): [string[], string[][]] {
  return [
    ['type', 'name', 'attachment', 'matched by'],
    items.map((p) => {
      const attachments = (p['attachments'] ?? []) as { kind?: string; name?: string }[];
      const where = attachments.map((a) => (a.kind === 'dataplane' ? 'dataplane' : (a.name ?? ''))).join(', ');
      const noEffect = typeof p['noEffect'] === 'string' ? `; NO EFFECT: ${p['noEffect']}` : '';
      return [String(p['type']), String(p['name']), where || '-', `${typeof p['reason'] === 'string' ? p['reason'] : ''}${noEffect}`];
    }),
  ];
}
