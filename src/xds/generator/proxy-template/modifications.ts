import type protobuf from 'protobufjs';
import { parse as parseYaml } from 'yaml';
import { encodeEnvoyMessage } from '../../envoy/encode.js';
import { HCM_TYPE } from '../../envoy/http.js';
import { fromEnvoyJson } from '../../envoy/proto-json.js';
import { envoyType } from '../../envoy/protos.js';
import { TYPE_URLS } from '../../resource.js';
import type { ProxyTemplateModification } from '../../../core/resources/specs.js';
import { ORIGINS } from './origin.js';
import { protoMerge } from './proto-merge.js';
import { TemplateStepError } from './template-error.js';
import type { Msg, TemplateEntry, TemplateResources } from './template-resources.js';
import { scalarText } from '../../envoy/scalar-text.js';

type Kind = keyof ProxyTemplateModification;
type Modification = NonNullable<ProxyTemplateModification[Kind]>;

const LISTENER = 'envoy.config.listener.v3.Listener';
const CLUSTER = 'envoy.config.cluster.v3.Cluster';
const FILTER = 'envoy.config.listener.v3.Filter';
const HTTP_FILTER = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter';
const VIRTUAL_HOST = 'envoy.config.route.v3.VirtualHost';
const HCM_FILTER_NAME = 'envoy.filters.network.http_connection_manager';

/**
 * An Envoy message written as YAML or JSON (Envoy's JSON form, `@type` in Any): parsed strictly and
 * decoded back from its bytes, so that what it sets is what is on the wire (the `patch` semantics).
 */
export function decodeValue(typeName: string, text: string | undefined, where: string): Msg {
  return decodeJson(typeName, parseValue(text, where), where);
}

/** The YAML (or JSON) text of a value. */
export function parseValue(text: string | undefined, where: string): unknown {
  try {
    return parseYaml(text ?? '') ?? {};
  } catch (err) {
    throw new TemplateStepError(where, `value is not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}

/** Envoy JSON as a decoded message of `typeName` (only what it sets is set). */
export function decodeJson(typeName: string, json: unknown, where: string): Msg {
  try {
    const bytes = encodeEnvoyMessage(typeName, fromEnvoyJson(typeName, json));
    return envoyType(typeName).decode(bytes) as unknown as Msg;
  } catch (err) {
    throw new TemplateStepError(where, `value is not a valid ${typeName}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Applies the modifications in order (Kuma's modifications.Apply); `where` of each is `modifications[i].<kind>`. */
export function applyModifications(set: TemplateResources, modifications: readonly ProxyTemplateModification[]): void {
  modifications.forEach((mod, i) => {
    for (const kind of Object.keys(mod) as Kind[]) {
      const m = mod[kind];
      if (!m) continue;
      const where = `modifications[${i}].${kind}`;
      switch (kind) {
        case 'cluster':
          wholeResource(set, TYPE_URLS.cluster, CLUSTER, m, where);
          break;
        case 'listener':
          wholeResource(set, TYPE_URLS.listener, LISTENER, m, where);
          break;
        case 'networkFilter':
          networkFilter(set, m, where);
          break;
        case 'httpFilter':
          httpFilter(set, m, where);
          break;
        case 'virtualHost':
          virtualHost(set, m, where);
          break;
      }
    }
  });
}

const matches = (m: Modification, entry: TemplateEntry, name: string | undefined): boolean =>
  (!name || name === entry.name) && (!m.match?.origin || m.match.origin === entry.origin);

/** cluster and listener: add (replaces one of the same name), remove and patch (proto merge) by name and origin. */
function wholeResource(set: TemplateResources, typeUrl: typeof TYPE_URLS.cluster | typeof TYPE_URLS.listener, typeName: string, m: Modification, where: string): void {
  if (m.operation === 'add') {
    const value = decodeValue(typeName, m.value, where);
    set.add(typeUrl, scalarText(value['name']), value, ORIGINS.modifications, where);
    return;
  }
  const targets = set.list(typeUrl).filter((e) => matches(m, e, m.match?.name));
  if (m.operation === 'remove') {
    for (const e of targets) set.remove(e);
    return;
  }
  if (targets.length === 0) return;
  const type = envoyType(typeName);
  // Decoded once per target: a merged-in message must not be shared between resources.
  for (const e of targets) protoMerge(type, set.edit(e, where), decodeValue(typeName, m.value, where));
}

/** Listeners a filter modification looks into: by `listenerName` and origin. */
function filterListeners(set: TemplateResources, m: Modification): TemplateEntry[] {
  return set.list(TYPE_URLS.listener).filter((e) => matches(m, e, m.match?.listenerName));
}

/** The ordered-list operations shared by network and HTTP filters (Kuma's addFirst/addLast/addBefore/addAfter/remove/patch). */
function editFilters(filters: Msg[], m: Modification, make: () => Msg, patch: (filter: Msg) => void): Msg[] {
  const name = m.match?.name ?? '';
  const at = filters.findIndex((f) => f['name'] === name);
  switch (m.operation) {
    case 'addFirst':
      return [make(), ...filters];
    case 'addLast':
      return [...filters, make()];
    case 'addBefore':
      return at === -1 ? filters : [...filters.slice(0, at), make(), ...filters.slice(at)];
    case 'addAfter':
      return at === -1 ? filters : [...filters.slice(0, at + 1), make(), ...filters.slice(at + 1)];
    case 'remove':
      return filters.filter((f) => name !== '' && f['name'] !== name); // no name: every filter, as Kuma
    case 'patch':
      for (const f of filters) if (name === '' || f['name'] === name) patch(f);
      return filters;
    default:
      return filters;
  }
}

/** Kuma's MergeAnys: the patch's typed_config merged into the filter's, which must be of the same type. */
function mergeTypedConfig(filter: Msg, patch: Msg, where: string): void {
  const mine = filter['typed_config'] as Msg | undefined;
  const theirs = patch['typed_config'] as Msg | undefined;
  if (!theirs) return;
  if (!mine) {
    filter['typed_config'] = theirs;
    return;
  }
  if (mine['type_url'] !== theirs['type_url']) throw new TemplateStepError(where, `typed_config is ${String(theirs['type_url'])}, the filter's is ${String(mine['type_url'])}`);
  const type = envoyType(String(mine['type_url']));
  const merged = type.decode(mine['value'] as Uint8Array) as unknown as Msg;
  protoMerge(type, merged, type.decode(theirs['value'] as Uint8Array) as unknown as Msg);
  filter['typed_config'] = { type_url: mine['type_url'], value: type.encode(merged).finish() };
}

function chainsOf(listener: Msg): Msg[] {
  return (listener['filter_chains'] as Msg[] | undefined) ?? [];
}

function networkFilter(set: TemplateResources, m: Modification, where: string): void {
  const value = m.operation === 'remove' ? {} : decodeValue(FILTER, m.value, where);
  for (const e of filterListeners(set, m)) {
    const listener = set.edit(e, where);
    for (const chain of chainsOf(listener)) {
      const filters = (chain['filters'] as Msg[] | undefined) ?? [];
      chain['filters'] = editFilters(filters, m, () => decodeValue(FILTER, m.value, where), (f) => mergeTypedConfig(f, value, where));
    }
  }
}

/** Calls `fn` with every HTTP connection manager of the listener (decoded), and encodes each back. */
function forEachHcm(listener: Msg, fn: (hcm: Msg, type: protobuf.Type) => void): void {
  const type = envoyType(HCM_TYPE);
  for (const chain of chainsOf(listener)) {
    for (const filter of (chain['filters'] as Msg[] | undefined) ?? []) {
      const config = filter['typed_config'] as Msg | undefined;
      if (filter['name'] !== HCM_FILTER_NAME || !config || config['type_url'] !== `type.googleapis.com/${HCM_TYPE}`) continue;
      const hcm = type.decode(config['value'] as Uint8Array) as unknown as Msg;
      fn(hcm, type);
      filter['typed_config'] = { type_url: config['type_url'], value: type.encode(hcm).finish() };
    }
  }
}

function httpFilter(set: TemplateResources, m: Modification, where: string): void {
  const value = m.operation === 'remove' ? {} : decodeValue(HTTP_FILTER, m.value, where);
  for (const e of filterListeners(set, m)) {
    forEachHcm(set.edit(e, where), (hcm) => {
      hcm['http_filters'] = editFilters((hcm['http_filters'] as Msg[] | undefined) ?? [], m, () => decodeValue(HTTP_FILTER, m.value, where), (f) => mergeTypedConfig(f, value, where));
    });
  }
}

/** add / remove / patch of the virtual hosts of one route configuration (if its name matches). */
function editVirtualHosts(routeConfig: Msg, m: Modification, where: string): void {
  const wanted = m.match?.routeConfigurationName;
  if (wanted && routeConfig['name'] !== wanted) return;
  const hosts = (routeConfig['virtual_hosts'] as Msg[] | undefined) ?? [];
  const name = m.match?.name;
  const selected = (h: Msg): boolean => !name || h['name'] === name;
  if (m.operation === 'add') routeConfig['virtual_hosts'] = [...hosts, decodeValue(VIRTUAL_HOST, m.value, where)];
  else if (m.operation === 'remove') routeConfig['virtual_hosts'] = hosts.filter((h) => !selected(h));
  else if (m.operation === 'patch') for (const h of hosts.filter(selected)) protoMerge(envoyType(VIRTUAL_HOST), h, decodeValue(VIRTUAL_HOST, m.value, where));
}

/**
 * Virtual hosts of the route configurations inline in HTTP connection managers (Kuma 1.x), and of the
 * RouteConfiguration resources (RDS), which this control plane uses for outbound HTTP, of the matching origin.
 */
function virtualHost(set: TemplateResources, m: Modification, where: string): void {
  decodeValue(VIRTUAL_HOST, m.operation === 'remove' ? '' : m.value, where);
  const originOk = (e: TemplateEntry): boolean => !m.match?.origin || m.match.origin === e.origin;
  for (const e of set.list(TYPE_URLS.listener).filter(originOk)) {
    forEachHcm(set.edit(e, where), (hcm) => {
      const inline = hcm['route_config'] as Msg | undefined;
      if (inline) editVirtualHosts(inline, m, where);
    });
  }
  for (const e of set.list(TYPE_URLS.routeConfiguration).filter(originOk)) editVirtualHosts(set.edit(e, where), m, where);
}
