import { enc, get, listAll } from '../api.js';
import { h, link, table } from '../dom.js';
import type { CpConfig, GlobalInsights, MeshInsight, ZoneOverview } from '../model.js';
import { onlineBadge } from '../status.js';

/** Overview: meshes, zones online, data planes online/offline. */
export async function overviewPage(config: CpConfig): Promise<HTMLElement> {
  const [global, meshes] = await Promise.all([get<GlobalInsights>('/global-insights'), listAll<MeshInsight>('/mesh-insights')]);
  const zones = config.mode === 'global' ? await listAll<ZoneOverview>('/zones+insights') : [];
  const dps = global.dataplanes?.standard ?? {};
  const gw = global.dataplanes?.gateway ?? {};
  const zcp = global.zones?.controlPlanes ?? {};
  const cards = h(
    'div',
    { class: 'cards' },
    card('Meshes', String(global.meshes?.total ?? 0), 'meshes'),
    card('Data planes online', `${(dps.online ?? 0) + (gw.online ?? 0)} / ${(dps.total ?? 0) + (gw.total ?? 0)}`, 'dataplanes-online'),
    card('Data planes offline', String((dps.offline ?? 0) + (gw.offline ?? 0)), 'dataplanes-offline'),
    card('Services', String(global.services?.total ?? 0), 'services'),
    config.mode === 'global' ? card('Zones online', `${zcp.online ?? 0} / ${zcp.total ?? 0}`, 'zones-online') : null,
  );
  const meshRows = meshes.map((m) => [
    link(`#/meshes/${enc(m.name)}`, m.name),
    String(m.services?.total ?? 0),
    `${m.dataplanes?.online ?? 0} / ${m.dataplanes?.total ?? 0}`,
    String(m.dataplanes?.offline ?? 0),
    String(Object.values(m.policies ?? {}).reduce((n, p) => n + (p.total ?? 0), 0)),
    m.backends?.mtls ?? 'off',
  ]);
  return h(
    'section',
    {},
    h('h1', {}, 'Overview'),
    cards,
    h('h2', {}, 'Meshes'),
    table(['mesh', 'services', 'data planes online', 'offline', 'policies', 'mTLS'], meshRows, 'meshes'),
    config.mode === 'global'
      ? h('div', {}, h('h2', {}, 'Zones'), table(['zone', 'status', 'enabled'], zones.map((z) => [link(`#/zones/${enc(z.name)}`, z.name), onlineBadge(z.zoneInsight?.subscriptions), z.zone?.enabled === false ? 'no' : 'yes']), 'zones'))
      : null,
  );
}

function card(title: string, value: string, id: string): HTMLElement {
  return h('div', { class: 'card', 'data-testid': `card-${id}` }, h('div', { class: 'card-value' }, value), h('div', { class: 'card-title' }, title));
}
