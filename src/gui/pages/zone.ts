import { ZONE_LABEL } from '../../core/resources/labels.js';
import { enc, get, listAll } from '../api.js';
import { h, link, table } from '../dom.js';
import type { DataplaneOverview, MeshInsight, ZoneOverview } from '../model.js';
import { onlineBadge, tagText } from '../status.js';

/** A zone (on a global): its KDS connection history and the data planes it synced up. */
export async function zonePage(name: string): Promise<HTMLElement> {
  const zone = await get<ZoneOverview>(`/zones+insights/${enc(name)}`);
  const meshes = await listAll<MeshInsight>('/mesh-insights');
  const dataplanes = (await Promise.all(meshes.map((m) => listAll<DataplaneOverview>(`/meshes/${enc(m.name)}/dataplanes+insights`)))).flat().filter((d) => d.labels?.[ZONE_LABEL] === name || d.name.startsWith(`${name}.`));
  const subs = zone.zoneInsight?.subscriptions ?? [];
  return h(
    'section',
    {},
    h('h1', {}, 'Zone ', h('span', { 'data-testid': 'zone-name' }, name), ' ', onlineBadge(subs)),
    h('p', {}, zone.zone?.enabled === false ? 'Disabled: the global refuses this zone until it is enabled again.' : 'Enabled.'),
    h('h2', {}, 'Connections to the global (KDS)'),
    table(
      ['connected', 'disconnected', 'global instance', 'responses sent', 'rejected'],
      subs.map((s) => [s.connectTime ?? '-', s.disconnectTime ?? '-', s.globalInstanceId ?? '-', String(s.status?.total?.responsesSent ?? 0), String(s.status?.total?.responsesRejected ?? 0)]),
      'zone-subscriptions',
    ),
    h('h2', {}, 'Data planes of this zone'),
    table(
      ['mesh', 'name', 'tags', 'status'],
      dataplanes.map((d) => [link(`#/meshes/${enc(d.mesh)}`, d.mesh), d.name, tagText(d.dataplane.networking?.inbound?.[0]?.tags), onlineBadge(d.dataplaneInsight?.subscriptions)]),
      'zone-dataplanes',
    ),
  );
}
