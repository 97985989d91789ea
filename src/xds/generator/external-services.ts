import { isIP } from 'node:net';
import type { Resource } from '../../core/resources/model.js';
import { PROTOCOL_TAG, SERVICE_TAG, type DataSource, type ExternalServiceSpec, type SecretSpec, type Tags } from '../../core/resources/specs.js';
import type { EnvoyDataSource, UpstreamTlsOptions } from '../envoy/tls.js';
import type { OutboundProtocol } from './policy-conf.js';
import { toProtocol } from './protocol.js';

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

export interface ResolvedExternalServices {
  /** Usable ExternalServices by `kuma.io/service`. */
  readonly byService: ReadonlyMap<string, ExternalEndpoint>;
  /** Services of ExternalServices that could not be resolved: they get no cluster and no outbound. */
  readonly unusable: ReadonlySet<string>;
  /** One line per ExternalService skipped or ignored, naming it. */
  readonly warnings: readonly string[];
}

export type DataSourceResult = { readonly source: EnvoyDataSource } | { readonly error: string };

/**
 * An ExternalService DataSource as Envoy's: `inline` (base64) and `secret` (a Secret of the same mesh,
 * base64 `data`) become inline_bytes, `inlineString` inline_string, `file` filename.
 */
export function resolveDataSource(ds: DataSource, secrets: ReadonlyMap<string, Resource>): DataSourceResult {
  if (ds.secret !== undefined) {
    const secret = secrets.get(ds.secret);
    if (!secret) return { error: `secret "${ds.secret}" not found` };
    const bytes = base64(String((secret.spec as unknown as Partial<SecretSpec>).data ?? ''));
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
 * The mesh's ExternalServices by service. Sorted by name, the first one of a service wins; a service
 * that Dataplanes also offer (`meshServices`) keeps its Dataplane endpoints. An ExternalService whose
 * address or TLS material cannot be resolved (e.g. a missing Secret) is skipped with a warning naming it.
 */
export function resolveExternalServices(externalServices: readonly Resource[], secrets: readonly Resource[], meshServices: ReadonlySet<string>): ResolvedExternalServices {
  const secretsByName = new Map(secrets.map((s) => [s.meta.name, s]));
  const byService = new Map<string, ExternalEndpoint>();
  const unusable = new Set<string>();
  const warnings: string[] = [];
  const sorted = [...externalServices].sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
  for (const es of sorted) {
    const spec = es.spec as unknown as ExternalServiceSpec;
    const service = spec.tags?.[SERVICE_TAG];
    if (!service) continue;
    const label = `ExternalService "${es.meta.name}" (${SERVICE_TAG}: ${service})`;
    if (meshServices.has(service)) {
      warnings.push(`${label} ignored: Dataplanes offer the same service`);
      continue;
    }
    if (byService.has(service) || unusable.has(service)) {
      warnings.push(`${label} ignored: another ExternalService of the same service comes first`);
      continue;
    }
    const resolved = resolveOne(es.meta.name, service, spec, secretsByName);
    if ('error' in resolved) {
      warnings.push(`${label} skipped: ${resolved.error}`);
      unusable.add(service);
    } else {
      byService.set(service, resolved);
    }
  }
  return { byService, unusable, warnings };
}

function resolveOne(name: string, service: string, spec: ExternalServiceSpec, secrets: ReadonlyMap<string, Resource>): ExternalEndpoint | { error: string } {
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
    tls = {
      ...(isIP(address.host) ? {} : { sni: address.host }),
      ...(ca ? { trustedCa: ca as EnvoyDataSource } : {}),
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
