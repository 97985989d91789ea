/**
 * Checks of Envoy resources as Envoy would make them, no Envoy binary needed (the golden tests run them on
 * every generated set; ProxyTemplate runs them on the resources a template adds or changes):
 * - strict decoding as the Envoy type (every nested Any by its type_url, unknown fields refused),
 * - the protoc-gen-validate `validate.rules` annotations of the Envoy protos, read generically from the
 *   descriptors (required messages and oneofs, string/bytes/number/enum/duration/repeated/map/any rules),
 * - referential integrity of a set: listener -> RDS -> clusters -> ClusterLoadAssignment, tracers -> collector cluster.
 */
import { isIP } from 'node:net';
import protobuf from 'protobufjs';
import { envoyType } from './protos.js';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { scalarText } from './scalar-text.js';
import { ANY, WRAPPERS } from './well-known-types.js';

type Msg = Record<string, unknown>;
type Rules = Record<string, unknown>;
type Visitor = (typeName: string, message: Msg) => void;

/** Decodes bytes as `typeName` and refuses anything the type does not know (re-encoding must give the same bytes). */
export function decodeStrict(typeName: string, bytes: Uint8Array): Msg {
  const type = envoyType(typeName);
  const message = type.decode(bytes);
  const again = type.encode(message).finish();
  if (Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0) throw new Error(`${typeName}: bytes contain fields the type does not define`);
  return message as unknown as Msg;
}

/** Every violation of the validate.rules annotations in one resource (empty = valid). */
export function validateResource(resource: EncodedResource, visit?: Visitor): string[] {
  return validateMessage(resource.typeUrl, resource.bytes, resource.name, visit);
}

/** Same for any Envoy message given by type name (e.g. the bootstrap). */
export function validateMessage(typeName: string, bytes: Uint8Array, label: string, visit?: Visitor): string[] {
  const violations: string[] = [];
  let message: Msg;
  try {
    message = decodeStrict(typeName, bytes);
  } catch (err) {
    return [`${label}: ${(err as Error).message}`];
  }
  walk(envoyType(typeName), message, label, violations, visit ?? (() => undefined));
  return violations;
}

/**
 * Validates a full set for one proxy: each resource's rules, unique names per type, names matching the
 * message, and that every name a resource refers to exists in the set.
 */
export function validateSet(resources: readonly EncodedResource[]): string[] {
  const violations: string[] = [];
  const present = new Map<string, Set<string>>();
  const refs: { typeUrl: string; name: string; from: string }[] = [];
  for (const r of resources) {
    const names = present.get(r.typeUrl) ?? new Set<string>();
    if (names.has(r.name)) violations.push(`duplicate ${shortType(r.typeUrl)} ${r.name}`);
    names.add(r.name);
    present.set(r.typeUrl, names);
    const from = `${shortType(r.typeUrl)} ${r.name}`;
    violations.push(
      ...validateResource(r, (typeName, m) => {
        for (const ref of references(typeName, m)) refs.push({ ...ref, from });
        const own = ownName(typeName, m);
        if (own !== undefined && typeName.slice(1) === shortFullType(r.typeUrl) && own !== r.name) violations.push(`${from}: message name is "${own}"`);
      }),
    );
  }
  for (const ref of refs) {
    if (!present.get(ref.typeUrl)?.has(ref.name)) violations.push(`${ref.from} refers to missing ${shortType(ref.typeUrl)} ${ref.name}`);
  }
  return violations;
}

function references(typeName: string, m: Msg): { typeUrl: string; name: string }[] {
  switch (typeName) {
    case '.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager': {
      const rds = m['rds'] as Msg | null | undefined;
      return rds ? [{ typeUrl: TYPE_URLS.routeConfiguration, name: String(rds['route_config_name']) }] : [];
    }
    case '.envoy.config.route.v3.RouteAction':
    case '.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy':
      return m['cluster'] ? [{ typeUrl: TYPE_URLS.cluster, name: scalarText(m['cluster']) }] : [];
    case '.envoy.config.route.v3.WeightedCluster.ClusterWeight':
    case '.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight':
      return [{ typeUrl: TYPE_URLS.cluster, name: String(m['name']) }];
    case '.envoy.config.trace.v3.ZipkinConfig':
    case '.envoy.config.trace.v3.DatadogConfig':
      return [{ typeUrl: TYPE_URLS.cluster, name: String(m['collector_cluster']) }];
    case '.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig':
      return [{ typeUrl: TYPE_URLS.secret, name: String(m['name']) }];
    case '.envoy.config.cluster.v3.Cluster': {
      if (m['type'] !== envoyType('envoy.config.cluster.v3.Cluster').lookupEnum('DiscoveryType').values['EDS']) return [];
      const eds = m['eds_cluster_config'] as Msg | null | undefined;
      return [{ typeUrl: TYPE_URLS.clusterLoadAssignment, name: String(eds?.['service_name'] || m['name']) }];
    }
    default:
      return [];
  }
}

function ownName(typeName: string, m: Msg): string | undefined {
  if (typeName === '.envoy.config.endpoint.v3.ClusterLoadAssignment') return String(m['cluster_name']);
  if (
    typeName === '.envoy.config.listener.v3.Listener' ||
    typeName === '.envoy.config.cluster.v3.Cluster' ||
    typeName === '.envoy.config.route.v3.RouteConfiguration' ||
    typeName === '.envoy.extensions.transport_sockets.tls.v3.Secret'
  ) {
    return String(m['name']);
  }
  return undefined;
}

function shortFullType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

// ---------------------------------------------------------------- rules walk

function has(m: Msg, field: string): boolean {
  return Object.prototype.hasOwnProperty.call(m, field) && m[field] !== null && m[field] !== undefined;
}

function fieldRules(field: protobuf.Field): Rules | undefined {
  for (const o of (field.parsedOptions ?? []) as Record<string, unknown>[]) {
    if (o['(validate.rules)']) return o['(validate.rules)'] as Rules;
  }
  return undefined;
}

function messageDisabled(type: protobuf.Type): boolean {
  const opts = (type.options ?? {}) as Record<string, unknown>;
  return opts['(validate.disabled)'] === true || opts['(validate.ignored)'] === true;
}

function walk(type: protobuf.Type, m: Msg, path: string, out: string[], visit: Visitor): void {
  if (type.fullName === ANY) {
    walkAny(m, path, out, visit);
    return;
  }
  visit(type.fullName, m);
  if (messageDisabled(type)) return;
  for (const oneof of type.oneofsArray) {
    const required = (oneof.options ?? {})['(validate.required)'] === true;
    if (required && !oneof.fieldsArray.some((f) => has(m, f.name))) out.push(`${path}: one of ${oneof.name} (${oneof.fieldsArray.map((f) => f.name).join('|')}) is required`);
  }
  for (const field of type.fieldsArray) {
    field.resolve();
    const fpath = `${path}.${field.name}`;
    const rules = fieldRules(field);
    const value = m[field.name];
    if (field.map) {
      const entries = Object.entries((value ?? {}) as Msg);
      if (rules?.['map']) checkMap(rules['map'] as Rules, entries, field, fpath, out);
      if (field.resolvedType instanceof protobuf.Type) for (const [k, v] of entries) walk(field.resolvedType, v as Msg, `${fpath}[${k}]`, out, visit);
      continue;
    }
    if (field.repeated) {
      const items = (value ?? []) as unknown[];
      const repeated = rules?.['repeated'] as Rules | undefined;
      if (repeated) checkRepeated(repeated, items, field, fpath, out);
      items.forEach((item, i) => {
        const itemRules = repeated?.['items'] as Rules | undefined;
        if (itemRules) checkValue(itemRules, field, item, true, `${fpath}[${i}]`, out);
        if (field.resolvedType instanceof protobuf.Type && !(itemRules?.['message'] as Rules | undefined)?.['skip']) walk(field.resolvedType, item as Msg, `${fpath}[${i}]`, out, visit);
      });
      continue;
    }
    // PGV checks the rules of a oneof member only when that member is the one set.
    if (field.partOf && !has(m, field.name)) continue;
    const present = field.resolvedType instanceof protobuf.Type ? has(m, field.name) : true;
    if (rules) checkValue(rules, field, value, present, fpath, out);
    if (present && field.resolvedType instanceof protobuf.Type && !(rules?.['message'] as Rules | undefined)?.['skip']) walk(field.resolvedType, value as Msg, fpath, out, visit);
  }
}

function walkAny(m: Msg, path: string, out: string[], visit: Visitor): void {
  const url = scalarText(m['type_url']);
  let inner: protobuf.Type;
  try {
    inner = envoyType(url);
  } catch {
    out.push(`${path}: Any of unknown type "${url}"`);
    return;
  }
  try {
    const decoded = decodeStrict(inner.fullName.slice(1), m['value'] as Uint8Array);
    walk(inner, decoded, `${path}<${inner.name}>`, out, visit);
  } catch (err) {
    out.push(`${path}: ${(err as Error).message}`);
  }
}

function checkValue(rules: Rules, field: protobuf.Field, value: unknown, present: boolean, path: string, out: string[]): void {
  const typeName = field.resolvedType?.fullName;
  const messageRules = rules['message'] as Rules | undefined;
  if (messageRules?.['required'] && !present) out.push(`${path}: value is required`);
  if (rules['duration']) return checkDuration(rules['duration'] as Rules, present ? (value as Msg) : undefined, path, out);
  if (rules['timestamp']) {
    if ((rules['timestamp'] as Rules)['required'] && !present) out.push(`${path}: value is required`);
    return;
  }
  if (rules['any']) {
    const r = rules['any'] as Rules;
    if (r['required'] && !present) out.push(`${path}: value is required`);
    const url = present ? String((value as Msg)['type_url']) : undefined;
    if (url !== undefined && Array.isArray(r['in']) && !(r['in'] as string[]).includes(url)) out.push(`${path}: type ${url} not allowed`);
    return;
  }
  // Rules on a wrapper field apply to the wrapped value when the wrapper is set.
  if (typeName && WRAPPERS.has(typeName)) {
    if (!present) return;
    value = (value as Msg)['value'];
  } else if (field.resolvedType instanceof protobuf.Type) {
    return;
  }
  if (rules['string']) return checkString(rules['string'] as Rules, scalarText(value), path, out);
  if (rules['bytes']) return checkBytes(rules['bytes'] as Rules, (value ?? new Uint8Array()) as Uint8Array, path, out);
  if (rules['enum']) return checkEnum(rules['enum'] as Rules, field, Number(value ?? 0), path, out);
  if (rules['bool']) {
    const c = (rules['bool'] as Rules)['const'];
    if (c !== undefined && Boolean(value) !== c) out.push(`${path}: must be ${scalarText(c)}`);
    return;
  }
  for (const kind of ['uint32', 'uint64', 'int32', 'int64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'double', 'float']) {
    if (rules[kind]) return checkNumber(rules[kind] as Rules, Number(scalarText(value ?? 0)), path, out);
  }
}

function checkNumber(r: Rules, v: number, path: string, out: string[]): void {
  if (r['ignore_empty'] && v === 0) return;
  const n = (k: string): number | undefined => (r[k] === undefined ? undefined : Number(scalarText(r[k])));
  if (n('const') !== undefined && v !== n('const')) out.push(`${path}: must equal ${n('const')}`);
  if (Array.isArray(r['in']) && !(r['in'] as unknown[]).map(Number).includes(v)) out.push(`${path}: must be one of ${String(r['in'])}`);
  if (Array.isArray(r['not_in']) && (r['not_in'] as unknown[]).map(Number).includes(v)) out.push(`${path}: must not be one of ${String(r['not_in'])}`);
  checkRange(v, { gt: n('gt'), gte: n('gte'), lt: n('lt'), lte: n('lte') }, String(v), path, out);
}

/** PGV ranges: with a lower bound above the upper bound, the value must lie outside the range. */
function checkRange(v: number, b: { gt?: number | undefined; gte?: number | undefined; lt?: number | undefined; lte?: number | undefined }, shown: string, path: string, out: string[]): void {
  const lowOk = b.gt !== undefined ? v > b.gt : b.gte !== undefined ? v >= b.gte : true;
  const highOk = b.lt !== undefined ? v < b.lt : b.lte !== undefined ? v <= b.lte : true;
  const low = b.gt ?? b.gte;
  const high = b.lt ?? b.lte;
  const exclusive = low !== undefined && high !== undefined && low > high;
  const ok = exclusive ? lowOk || highOk : lowOk && highOk;
  if (!ok) out.push(`${path}: ${shown} out of range (${JSON.stringify(b)})`);
}

function checkString(r: Rules, s: string, path: string, out: string[]): void {
  if (r['ignore_empty'] && s === '') return;
  const len = [...s].length;
  const bytes = Buffer.byteLength(s);
  const num = (k: string): number | undefined => (r[k] === undefined ? undefined : Number(scalarText(r[k])));
  if (num('min_len') !== undefined && len < num('min_len')!) out.push(`${path}: length must be at least ${num('min_len')}`);
  if (num('max_len') !== undefined && len > num('max_len')!) out.push(`${path}: length must be at most ${num('max_len')}`);
  if (num('len') !== undefined && len !== num('len')) out.push(`${path}: length must be ${num('len')}`);
  if (num('min_bytes') !== undefined && bytes < num('min_bytes')!) out.push(`${path}: must have at least ${num('min_bytes')} bytes`);
  if (num('max_bytes') !== undefined && bytes > num('max_bytes')!) out.push(`${path}: must have at most ${num('max_bytes')} bytes`);
  if (r['const'] !== undefined && s !== r['const']) out.push(`${path}: must equal ${scalarText(r['const'])}`);
  if (typeof r['prefix'] === 'string' && !s.startsWith(r['prefix'])) out.push(`${path}: must start with "${r['prefix']}"`);
  if (typeof r['suffix'] === 'string' && !s.endsWith(r['suffix'])) out.push(`${path}: must end with "${r['suffix']}"`);
  if (typeof r['contains'] === 'string' && !s.includes(r['contains'])) out.push(`${path}: must contain "${r['contains']}"`);
  if (typeof r['not_contains'] === 'string' && s.includes(r['not_contains'])) out.push(`${path}: must not contain "${r['not_contains']}"`);
  if (Array.isArray(r['in']) && !(r['in'] as string[]).includes(s)) out.push(`${path}: must be one of ${String(r['in'])}`);
  if (Array.isArray(r['not_in']) && (r['not_in'] as string[]).includes(s)) out.push(`${path}: must not be one of ${String(r['not_in'])}`);
  if (typeof r['pattern'] === 'string') {
    const re = jsRegExp(r['pattern']);
    if (re && !re.test(s)) out.push(`${path}: "${s}" does not match ${r['pattern']}`);
  }
  const wellKnown = r['well_known_regex'];
  if (wellKnown === 'HTTP_HEADER_NAME' || wellKnown === 'HTTP_HEADER_VALUE') {
    const strict = r['strict'] !== false;
    const bad = strict && wellKnown === 'HTTP_HEADER_NAME' ? /^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$/.test(s) === false && s !== '' : /[\0\r\n]/.test(s);
    if (bad) out.push(`${path}: "${s}" is not a valid ${String(wellKnown)}`);
  }
  if ((r['ip'] && !isIP(s)) || (r['ipv4'] && isIP(s) !== 4) || (r['ipv6'] && isIP(s) !== 6)) out.push(`${path}: "${s}" is not an IP address`);
  if (r['hostname'] && !/^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/.test(s)) {
    out.push(`${path}: "${s}" is not a hostname`);
  }
}

/** RE2 patterns mostly read as JS; patterns using RE2-only syntax are skipped rather than misjudged. */
function jsRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

function checkBytes(r: Rules, b: Uint8Array, path: string, out: string[]): void {
  if (r['ignore_empty'] && b.length === 0) return;
  if (r['min_len'] !== undefined && b.length < Number(r['min_len'])) out.push(`${path}: must have at least ${scalarText(r['min_len'])} bytes`);
  if (r['max_len'] !== undefined && b.length > Number(r['max_len'])) out.push(`${path}: must have at most ${scalarText(r['max_len'])} bytes`);
}

function checkEnum(r: Rules, field: protobuf.Field, v: number, path: string, out: string[]): void {
  const e = field.resolvedType;
  if (r['defined_only'] && e instanceof protobuf.Enum && !Object.values(e.values).includes(v)) out.push(`${path}: ${v} is not a defined ${e.name}`);
  if (r['const'] !== undefined && v !== Number(r['const'])) out.push(`${path}: must equal ${scalarText(r['const'])}`);
  if (Array.isArray(r['in']) && !(r['in'] as unknown[]).map(Number).includes(v)) out.push(`${path}: must be one of ${String(r['in'])}`);
  if (Array.isArray(r['not_in']) && (r['not_in'] as unknown[]).map(Number).includes(v)) out.push(`${path}: must not be one of ${String(r['not_in'])}`);
}

function nanos(d: Msg | undefined): number {
  return Number(scalarText(d?.['seconds'] ?? 0)) * 1e9 + Number(d?.['nanos'] ?? 0);
}

function checkDuration(r: Rules, d: Msg | undefined, path: string, out: string[]): void {
  if (!d) {
    if (r['required']) out.push(`${path}: value is required`);
    return;
  }
  const v = nanos(d);
  const b = (k: string): number | undefined => (r[k] === undefined ? undefined : nanos(r[k] as Msg));
  if (b('const') !== undefined && v !== b('const')) out.push(`${path}: must equal ${b('const')}ns`);
  checkRange(v, { gt: b('gt'), gte: b('gte'), lt: b('lt'), lte: b('lte') }, `${v}ns`, path, out);
}

function checkRepeated(r: Rules, items: unknown[], field: protobuf.Field, path: string, out: string[]): void {
  if (r['ignore_empty'] && items.length === 0) return;
  if (r['min_items'] !== undefined && items.length < Number(r['min_items'])) out.push(`${path}: must have at least ${scalarText(r['min_items'])} items`);
  if (r['max_items'] !== undefined && items.length > Number(r['max_items'])) out.push(`${path}: must have at most ${scalarText(r['max_items'])} items`);
  if (r['unique'] && !(field.resolvedType instanceof protobuf.Type) && new Set(items.map(String)).size !== items.length) out.push(`${path}: items must be unique`);
}

function checkMap(r: Rules, entries: [string, unknown][], field: protobuf.Field, path: string, out: string[]): void {
  if (r['ignore_empty'] && entries.length === 0) return;
  if (r['min_pairs'] !== undefined && entries.length < Number(r['min_pairs'])) out.push(`${path}: must have at least ${scalarText(r['min_pairs'])} pairs`);
  if (r['max_pairs'] !== undefined && entries.length > Number(r['max_pairs'])) out.push(`${path}: must have at most ${scalarText(r['max_pairs'])} pairs`);
  const keyRules = r['keys'] as Rules | undefined;
  const valueRules = r['values'] as Rules | undefined;
  for (const [k, v] of entries) {
    if (keyRules?.['string']) checkString(keyRules['string'] as Rules, k, `${path}[${k}] (key)`, out);
    if (valueRules) checkValue(valueRules, field, v, true, `${path}[${k}]`, out);
  }
}
