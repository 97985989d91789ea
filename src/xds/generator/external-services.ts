import { isIP } from 'node:net';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataSource, type ExternalServiceSpec, type Tags } from '../../core/resources/specs.js';
import type { EnvoyDataSource, UpstreamTlsOptions } from '../envoy/tls.js';
import type { OutboundProtocol } from './policy-conf.js';
import { commonProtocol, toProtocol } from './protocol.js';

/** One ExternalService, resolved: where to connect and how (TLS material already read from its DataSources). */
export interface ExternalEndpoint {
  /** The ExternalService resource's name. */
  readonly name: string;
  readonly service: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: OutboundProtocol;
  /** Its tags without kuma.io/service (endpoint metadata for TrafficRoute subsets). */
  readonly tags: Tags;
  readonly tls?: UpstreamTlsOptions;
}

/**
 * The ExternalServices of one `kuma.io/service`: Kuma 1.x makes them the endpoints of one cluster, each with
 * its own address and TLS (pkg/xds/topology/outbound.go, endpoint_cluster_configurer.go).
 */
export interface ExternalServiceGroup {
  readonly service: string;
  /** The most general protocol the ExternalServices' `kuma.io/protocol` tags share. */
  readonly protocol: OutboundProtocol;
  /** Sorted by ExternalService name. */
  readonly endpoints: readonly ExternalEndpoint[];
  /** Their distinct ports, ascending (a transparent proxy also gets the service's VIP on each). */
  readonly ports: readonly number[];
}

export interface ResolvedExternalServices {
  /** Usable ExternalServices by `kuma.io/service`. */
  readonly byService: ReadonlyMap<string, ExternalServiceGroup>;
  /** Services none of whose ExternalServices could be resolved: they get no cluster and no outbound. */
  readonly unusable: ReadonlySet<string>;
  /** One line per ExternalService skipped or ignored, naming it. */
  readonly warnings: readonly string[];
}

export type DataSourceResult = { readonly source: EnvoyDataSource } | { readonly error: string };

/**
 * An ExternalService DataSource as Envoy's: `inline` (base64) and `secret` (a Secret of the same mesh,
 * base64 `data`) become inline_bytes, `inlineString` inline_string, `file` filename.
 */
export function resolveDataSource(ds: DataSource, secrets: ReadonlyMap<string, ResourceOf<'Secret'>>): DataSourceResult {
  if (ds.secret !== undefined) {
    const secret = secrets.get(ds.secret);
    if (!secret) return { error: `secret "${ds.secret}" not found` };
    const bytes = base64(String(secret.spec.data ?? ''));
    return bytes ? { source: { inline_bytes: bytes } } : { error: `secret "${ds.secret}" has no data` };
  }
  if (ds.inline !== undefined) {
    const bytes = base64(ds.inline);
    return bytes ? { source: { inline_bytes: bytes } } : { error: 'inline data is empty or not base64' };
  }
  if (ds.inlineString !== undefined) return ds.inlineString ? { source: { inline_string: ds.inlineString } } : { error: 'inlineString is empty' };
  if (ds.file !== undefined) return ds.file ? { source: { filename: ds.file } } : { error: 'file is empty' };
  return { error: 'no secret, inline, inlineString or file' };
}

/** Canonical base64 of `value`, or undefined when it decodes to nothing or is not base64. */
function base64(value: string): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.length ? bytes.toString('base64') : undefined;
}

/** `host:port`, `[v6]:port`: undefined when malformed. */
export function parseAddress(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = address.slice(0, colon);
  const portText = address.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(portText);
  if (!host || !/^\d+$/.test(portText) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/**
 * The mesh's ExternalServices by service, every ExternalService of a service one endpoint of its cluster (as
 * Kuma). A service that Dataplanes also offer (`meshServices`) keeps its Dataplane endpoints. An
 * ExternalService whose address or TLS material cannot be resolved (e.g. a missing Secret) is skipped with a
 * warning naming it; the service stays usable through its other ExternalServices, if any.
 */
export function resolveExternalServices(externalServices: readonly ResourceOf<'ExternalService'>[], secrets: readonly ResourceOf<'Secret'>[], meshServices: ReadonlySet<string>): ResolvedExternalServices {
  const secretsByName = new Map(secrets.map((s) => [s.meta.name, s]));
  const endpoints = new Map<string, ExternalEndpoint[]>();
  const failed = new Set<string>();
  const warnings: string[] = [];
  const sorted = [...externalServices].sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
  for (const es of sorted) {
    const spec = es.spec;
    const service = spec.tags?.[SERVICE_TAG];
    if (!service) continue;
    const label = `ExternalService "${es.meta.name}" (${SERVICE_TAG}: ${service})`;
    if (meshServices.has(service)) {
      warnings.push(`${label} ignored: Dataplanes offer the same service`);
      continue;
    }
    const tls = spec.networking?.tls;
    if (tls && !tls.enabled && (['caCert', 'clientCert', 'clientKey', 'serverName', 'allowRenegotiation'] as const).some((f) => tls[f] !== undefined)) {
      warnings.push(`${label}: tls settings have no effect without tls.enabled: true (connecting in plain text)`);
    }
    const resolved = resolveOne(es.meta.name, service, spec, secretsByName);
    if ('error' in resolved) {
      warnings.push(`${label} skipped: ${resolved.error}`);
      failed.add(service);
    } else {
      const list = endpoints.get(service);
      if (list) list.push(resolved);
      else endpoints.set(service, [resolved]);
    }
  }
  const byService = new Map<string, ExternalServiceGroup>();
  for (const [service, list] of endpoints) {
    byService.set(service, {
      service,
      protocol: commonProtocol(list.map((e) => e.protocol)),
      endpoints: list,
      ports: [...new Set(list.map((e) => e.port))].sort((a, b) => a - b),
    });
  }
  return { byService, unusable: new Set([...failed].filter((s) => !byService.has(s))), warnings };
}

function resolveOne(name: string, service: string, spec: ExternalServiceSpec, secrets: ReadonlyMap<string, ResourceOf<'Secret'>>): ExternalEndpoint | { error: string } {
  const address = parseAddress(spec.networking?.address ?? '');
  if (!address) return { error: `address "${spec.networking?.address ?? ''}" is not host:port` };
  const tlsSpec = spec.networking.tls;
  let tls: UpstreamTlsOptions | undefined;
  if (tlsSpec?.enabled) {
    const read = (field: 'caCert' | 'clientCert' | 'clientKey'): EnvoyDataSource | { error: string } | undefined => {
      const ds = tlsSpec[field];
      if (!ds) return undefined;
      const r = resolveDataSource(ds, secrets);
      return 'error' in r ? { error: `tls.${field}: ${r.error}` } : r.source;
    };
    const ca = read('caCert');
    const cert = read('clientCert');
    const key = read('clientKey');
    for (const r of [ca, cert, key]) if (r && 'error' in r) return r;
    if (!cert !== !key) return { error: 'tls.clientCert and tls.clientKey must be given together' };
    // Kuma: SNI = serverName, else the address host unless it is an IP. The certificate must name the server:
    // serverName, else the address host (Kuma 1.x always checked the address host, which fails for an IP
    // address with a serverName; Kuma 2.x checks serverName first, as here).
    const serverName = tlsSpec.serverName ?? address.host;
    tls = {
      ...(isIP(serverName) ? {} : { sni: serverName }),
      ...(ca ? { trustedCa: ca as EnvoyDataSource, subjectAltName: serverName } : {}),
      ...(cert && key ? { clientCert: { certificateChain: cert as EnvoyDataSource, privateKey: key as EnvoyDataSource } } : {}),
      ...(tlsSpec.allowRenegotiation ? { allowRenegotiation: true } : {}),
    };
  }
  const { [SERVICE_TAG]: _service, ...tags } = spec.tags;
  const endpoint: ExternalEndpoint = {
    name,
    service,
    host: address.host,
    port: address.port,
    protocol: toProtocol(spec.tags[PROTOCOL_TAG]),
    tags,
    ...(tls ? { tls } : {}),
  };
  return endpoint;
}
