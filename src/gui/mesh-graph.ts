import { h, s } from './dom.js';
import type { Policy, Tags } from './model.js';

const SERVICE = 'kuma.io/service';

export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'TrafficRoute' | 'TrafficPermission';
  readonly policy: string;
}

const servicesOf = (selectors: readonly { match: Tags }[] | undefined): string[] => (selectors ?? []).map((x) => x.match[SERVICE] ?? '*');

/**
 * Edges between services from TrafficRoutes and TrafficPermissions: every source service to every
 * destination service; `*` on one side stands for every service. Policies that are `*` on both sides
 * (the mesh defaults) apply to every pair and are listed under the picture instead of drawn N² times.
 */
export function policyEdges(services: readonly string[], policies: readonly Policy[]): { edges: Edge[]; meshWide: Policy[] } {
  const edges: Edge[] = [];
  const meshWide: Policy[] = [];
  const expand = (svc: string): string[] => (svc === '*' ? [...services] : [svc]);
  for (const p of policies) {
    if (p.type !== 'TrafficRoute' && p.type !== 'TrafficPermission') continue;
    const from = servicesOf(p.sources);
    const to = servicesOf(p.destinations);
    if (from.every((x) => x === '*') && to.every((x) => x === '*')) {
      meshWide.push(p);
      continue;
    }
    for (const f of from.flatMap(expand)) for (const t of to.flatMap(expand)) if (f !== t) edges.push({ from: f, to: t, kind: p.type, policy: p.name });
  }
  return { edges, meshWide };
}

const SIZE = 520;
const R = 190;

/** Services as nodes on a circle, routes (blue) and permissions (green) as arrows, in SVG. */
export function meshGraph(services: readonly string[], health: ReadonlyMap<string, string>, policies: readonly Policy[]): HTMLElement {
  const { edges, meshWide } = policyEdges(services, policies);
  const pos = new Map(services.map((svc, i) => {
    const a = (2 * Math.PI * i) / Math.max(1, services.length) - Math.PI / 2;
    return [svc, { x: SIZE / 2 + R * Math.cos(a), y: SIZE / 2 + R * Math.sin(a) }];
  }));
  const svg = s(
    'svg',
    { viewBox: `0 0 ${SIZE} ${SIZE}`, width: SIZE, height: SIZE, role: 'img', 'aria-label': 'services and the policies between them', 'data-testid': 'mesh-graph' },
    s('defs', {}, ...(['TrafficRoute', 'TrafficPermission'] as const).map((k) => s('marker', { id: `arrow-${k}`, viewBox: '0 0 10 10', refX: 24, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `edge-${k}` })))),
  );
  edges.forEach((e, i) => {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) return;
    // Routes and permissions between the same pair curve apart so both stay visible.
    const bend = e.kind === 'TrafficRoute' ? 18 : -18;
    const mx = (a.x + b.x) / 2 + (bend * (b.y - a.y)) / Math.max(1, Math.hypot(b.x - a.x, b.y - a.y));
    const my = (a.y + b.y) / 2 - (bend * (b.x - a.x)) / Math.max(1, Math.hypot(b.x - a.x, b.y - a.y));
    svg.append(s('path', { d: `M ${a.x} ${a.y} Q ${mx} ${my} ${b.x} ${b.y}`, class: `edge edge-${e.kind}`, 'marker-end': `url(#arrow-${e.kind})`, 'data-edge': `${e.kind}:${e.from}->${e.to}`, 'data-index': i }, s('title', {}, `${e.kind} ${e.policy}: ${e.from} → ${e.to}`)));
  });
  for (const svc of services) {
    const p = pos.get(svc);
    if (!p) continue;
    const status = health.get(svc) ?? 'external';
    svg.append(s('g', { class: `node node-${status}`, 'data-service': svc }, s('circle', { cx: p.x, cy: p.y, r: 16 }), s('text', { x: p.x, y: p.y + 32, 'text-anchor': 'middle' }, svc), s('title', {}, `${svc}: ${status}`)));
  }
  return h(
    'figure',
    { class: 'graph' },
    svg,
    h(
      'figcaption',
      {},
      h('span', { class: 'legend legend-TrafficRoute' }, '→ TrafficRoute'),
      ' ',
      h('span', { class: 'legend legend-TrafficPermission' }, '→ TrafficPermission'),
      meshWide.length > 0 ? h('div', {}, 'Between every pair of services: ', meshWide.map((p) => `${p.type} ${p.name}`).join(', ')) : null,
    ),
  );
}
