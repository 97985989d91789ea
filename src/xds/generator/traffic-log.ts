import { isIP } from 'node:net';
import type { Resource } from '../../core/resources/model.js';
import { SERVICE_TAG, type ConnectionPolicySpec, type DataplaneSpec, type MeshSpec, type Tags } from '../../core/resources/specs.js';
import { kumaPlaceholdersIn, type KumaPlaceholder } from '../../core/resources/schemas/access-log-format.js';
import { DEFAULT_HTTP_ACCESS_LOG_FORMAT, DEFAULT_TCP_ACCESS_LOG_FORMAT, expandKumaPlaceholders, fileAccessLog } from '../envoy/access-log.js';
import type { EnvoyObject } from '../envoy/encode.js';
import { bestRank, matchRankedConnectionPolicy, type SourceRanks } from './policy-match.js';
import { isHttp } from './protocol.js';
import type { OutboundProtocol } from './policy-conf.js';

export interface TrafficLogConf {
  readonly backend?: string;
}
export type TrafficLogPolicy = Resource<ConnectionPolicySpec<TrafficLogConf>>;
export type LoggingBackend = NonNullable<NonNullable<MeshSpec['logging']>['backends']>[number];

/** Kuma's `kuma.io/service` of a proxy with none (Dataplane.GetIdentifyingService). */
const SERVICE_UNKNOWN = 'unknown';

/**
 * The proxy's own values of the placeholders a format may use (Kuma expands them at generation time):
 * only those the mesh's logging formats read, so proxies that differ in nothing a log line shows still
 * share their outbound listeners. Null when no TrafficLog of the mesh selects the proxy as a source.
 */
export interface LogSource {
  readonly service?: string;
  readonly address?: string;
}

/** A file access log of one outbound listener: the path and the format with Kuma's placeholders expanded. */
export interface AccessLogParams {
  readonly path: string;
  readonly format: string;
}

/** Kuma's Dataplane.GetIdentifyingService: the alphabetically first `kuma.io/service` of its inbounds and gateway. */
export function identifyingService(source: readonly Tags[]): string {
  const services = source.map((t) => t[SERVICE_TAG]).filter((s): s is string => !!s);
  return services.sort()[0] ?? SERVICE_UNKNOWN;
}

/**
 * The backend a TrafficLog writes to: `conf.backend`, else the mesh's `logging.defaultBackend` (Kuma's
 * backendsByName); undefined when it names none or one the mesh does not have.
 */
export function loggingBackend(mesh: MeshSpec, policy: TrafficLogPolicy): LoggingBackend | undefined {
  const name = policy.spec.conf?.backend || mesh.logging?.defaultBackend;
  return name ? mesh.logging?.backends?.find((b) => b.name === name) : undefined;
}

/** What access-log generation reads of a mesh snapshot. */
export interface LoggedMesh {
  readonly mesh: string;
  readonly meshSpec: MeshSpec;
  readonly policies: { readonly trafficLogs: readonly TrafficLogPolicy[] };
}

/** The formats of the backends that produce access logs (file backends; tcp ones are refused). */
function formatsOf(mesh: MeshSpec): string[] {
  return (mesh.logging?.backends ?? []).filter((b) => b.type === 'file').flatMap((b) => (b.format ? [b.format] : [DEFAULT_HTTP_ACCESS_LOG_FORMAT, DEFAULT_TCP_ACCESS_LOG_FORMAT]));
}

/** See LogSource. */
export function logSourceOf(snap: LoggedMesh, spec: DataplaneSpec, source: readonly Tags[]): LogSource | null {
  if (!snap.policies.trafficLogs.some((p) => bestRank(p.spec.sources, source))) return null;
  const used = new Set(formatsOf(snap.meshSpec).flatMap(kumaPlaceholdersIn));
  const needsAddress = used.has('KUMA_SOURCE_ADDRESS') || used.has('KUMA_SOURCE_ADDRESS_WITHOUT_PORT');
  return {
    ...(used.has('KUMA_SOURCE_SERVICE') ? { service: identifyingService(source) } : {}),
    ...(needsAddress ? { address: spec.networking.address } : {}),
  };
}

/**
 * The access log of the outbound listener from the source with `ranks` (against the mesh's TrafficLogs) to `service` (Kuma puts TrafficLog on outbound
 * listeners only): the best TrafficLog for the connection, its backend, Kuma's default HTTP or TCP format
 * unless the backend has one. None when no TrafficLog matches or its backend is missing or not a `file`
 * backend (those are reported by trafficLogWarnings).
 */
export function outboundAccessLog(snap: LoggedMesh, ranks: SourceRanks, logSource: LogSource | null, service: string, protocol: OutboundProtocol): AccessLogParams | null {
  if (!logSource) return null;
  const policy = matchRankedConnectionPolicy(snap.policies.trafficLogs, ranks, { [SERVICE_TAG]: service });
  const backend = policy && loggingBackend(snap.meshSpec, policy);
  const path = backend?.type === 'file' ? backend.conf?.['path'] : undefined;
  if (typeof path !== 'string' || !path) return null;
  const format = backend?.format || (isHttp(protocol) ? DEFAULT_HTTP_ACCESS_LOG_FORMAT : DEFAULT_TCP_ACCESS_LOG_FORMAT);
  const address = logSource.address ?? '';
  const values: Record<KumaPlaceholder, string> = {
    KUMA_MESH: snap.mesh,
    KUMA_SOURCE_SERVICE: logSource.service ?? '',
    KUMA_DESTINATION_SERVICE: service,
    KUMA_SOURCE_ADDRESS: isIP(address) === 6 ? `[${address}]:0` : `${address}:0`,
    KUMA_SOURCE_ADDRESS_WITHOUT_PORT: address,
    KUMA_TRAFFIC_DIRECTION: 'OUTBOUND',
  };
  return { path, format: expandKumaPlaceholders(format, values) };
}

export function accessLogs(p: AccessLogParams | null): EnvoyObject[] | undefined {
  return p ? [fileAccessLog(p.path, p.format)] : undefined;
}
