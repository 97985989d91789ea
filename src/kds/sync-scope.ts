import type { OwnerRef, Resource, ResourceKey, ResourceTypeName } from '../core/resources/model.js';
import type { ResourceStore } from '../core/store/resource-store.js';
import type { WireKey } from './kds-proto.js';
import { ORIGIN_LABEL, ZONE_LABEL, type Direction } from './labels.js';

/**
 * Where received resources live on this side and which local resources a sync may touch. The global keeps
 * zone Z's resources as `Z.<name>` labelled `kuma.io/zone: Z`, `kuma.io/origin: zone`, owned by Zone Z; a
 * zone keeps the global's resources under their own names labelled `kuma.io/origin: global`.
 */
export interface SyncScope {
  readonly direction: Direction;
  /** Who sends, for messages: `zone "zone-1"` or `the global`. */
  readonly peer: string;
  toLocal(key: WireKey): ResourceKey;
  toPeer(local: ResourceKey): WireKey;
  /** The local resources of `type` this sync manages (what the peer's set replaces exactly). */
  list(type: ResourceTypeName): Promise<Resource[]>;
  owns(type: ResourceTypeName, local: Resource): boolean;
  labels(peerLabels: Readonly<Record<string, string>>): Record<string, string>;
  /** Why the peer may not send this resource, or undefined when it may. */
  outOfScope(type: ResourceTypeName, labels: Readonly<Record<string, string>>, spec: unknown): string | undefined;
  readonly owner: OwnerRef | undefined;
}

/** On the global: what zone `zone` sends. */
export function zoneScopeOnGlobal(store: ResourceStore, zone: string): SyncScope {
  const prefix = `${zone}.`;
  const owns = (_type: ResourceTypeName, r: Resource): boolean =>
    r.meta.name.startsWith(prefix) && r.meta.labels?.[ZONE_LABEL] === zone && r.meta.labels[ORIGIN_LABEL] === 'zone';
  return {
    direction: 'zoneToGlobal',
    peer: `zone "${zone}"`,
    toLocal: (k) => ({ mesh: k.mesh, name: prefix + k.name }),
    toPeer: (k) => ({ mesh: k.mesh, name: k.name.slice(prefix.length) }),
    list: async (type) => (await store.list(type, { namePrefix: prefix })).filter((r) => owns(type, r)),
    owns,
    labels: (l) => ({ ...l, [ZONE_LABEL]: zone, [ORIGIN_LABEL]: 'zone' }),
    outOfScope: (type, labels, spec) => {
      const claimed = labels[ZONE_LABEL] ?? declaredZone(type, spec);
      return claimed !== undefined && claimed !== zone ? `belongs to zone "${claimed}", not to "${zone}"` : undefined;
    },
    owner: { type: 'Zone', name: zone, mesh: '' },
  };
}

/**
 * On a zone: what the global sends. Types that only flow global -> zone are wholly the global's, except
 * ZoneIngresses and secrets: a zone keeps its own (its data-plane token signing keys, its user-token key).
 */
export function globalScopeOnZone(store: ResourceStore, zone: string): SyncScope {
  const shared = new Set<ResourceTypeName>(['ZoneIngress', 'Secret', 'GlobalSecret']);
  const owns = (type: ResourceTypeName, r: Resource): boolean => !shared.has(type) || r.meta.labels?.[ORIGIN_LABEL] === 'global';
  return {
    direction: 'globalToZone',
    peer: 'the global',
    toLocal: (k) => ({ mesh: k.mesh, name: k.name }),
    toPeer: (k) => ({ mesh: k.mesh, name: k.name }),
    list: async (type) => (await store.list(type)).filter((r) => owns(type, r)),
    owns,
    labels: (l) => ({ ...l, [ORIGIN_LABEL]: 'global' }),
    outOfScope: (type, labels) =>
      type === 'ZoneIngress' && labels[ZONE_LABEL] === zone ? `is an ingress of this zone ("${zone}"); the global must not send it back` : undefined,
    owner: undefined,
  };
}

/** The zone a received spec itself claims: ZoneIngress `zone`, or a Dataplane inbound's kuma.io/zone tag. */
function declaredZone(type: ResourceTypeName, spec: unknown): string | undefined {
  if (spec === null || typeof spec !== 'object') return undefined;
  if (type === 'ZoneIngress') {
    const z = (spec as { zone?: unknown }).zone;
    return typeof z === 'string' && z !== '' ? z : undefined;
  }
  if (type === 'Dataplane') {
    const inbound = (spec as { networking?: { inbound?: unknown } }).networking?.inbound;
    if (!Array.isArray(inbound)) return undefined;
    for (const i of inbound as unknown[]) {
      const tag = (i as { tags?: Record<string, unknown> } | null)?.tags?.[ZONE_LABEL];
      if (typeof tag === 'string' && tag !== '') return tag;
    }
  }
  return undefined;
}
