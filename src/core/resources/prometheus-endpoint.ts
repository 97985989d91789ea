import { PROMETHEUS_BACKEND, prometheusConfSchema, type PrometheusConf } from './schemas/metrics-backend.js';
import type { DataplaneSpec, MeshSpec, Tags } from './specs.js';

/** Where and how a data plane exposes its Envoy metrics to Prometheus. */
export interface PrometheusEndpoint {
  /** The mesh's enabled backend. */
  readonly backend: string;
  readonly port: number;
  readonly path: string;
  /** Tags of the metrics "inbound" (TrafficPermission destinations match them under mTLS). */
  readonly tags: Tags;
  /** true: the endpoint stays plaintext even when the mesh has mTLS on. */
  readonly skipMTLS: boolean;
}

const DEFAULT_PORT = 5670;
const DEFAULT_PATH = '/metrics';

function confOf(raw: unknown): PrometheusConf {
  const parsed = prometheusConfSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : {};
}

/**
 * Kuma's DataplaneResource.GetPrometheusEndpoint: the mesh's enabled backend when it is of type prometheus,
 * with the Dataplane's `metrics` override merged over it field by field (protobuf Merge: a set port, path or
 * skipMTLS replaces the mesh's, tags are merged key by key). Undefined when the mesh has no metrics enabled.
 */
export function prometheusEndpoint(mesh: MeshSpec, dataplane: DataplaneSpec): PrometheusEndpoint | undefined {
  const name = mesh.metrics?.enabledBackend;
  if (!name) return undefined;
  const backend = (mesh.metrics?.backends ?? []).find((b) => b.name === name);
  if (backend?.type !== PROMETHEUS_BACKEND) return undefined;
  const base = confOf(backend.conf);
  const override = dataplane.metrics?.['type'] === PROMETHEUS_BACKEND ? confOf(dataplane.metrics['conf']) : {};
  return {
    backend: name,
    port: override.port || base.port || DEFAULT_PORT,
    path: override.path || base.path || DEFAULT_PATH,
    tags: { ...base.tags, ...override.tags },
    skipMTLS: override.skipMTLS ?? base.skipMTLS ?? false,
  };
}

function unspecified(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::';
}

/** Kuma's overlap: either side a wildcard address, or the same address. */
function overlap(a: string, b: string): boolean {
  return unspecified(a) || unspecified(b) || a === b;
}

/**
 * Kuma's DataplaneResource.UsesInterface: `port` on `address` is already an inbound (the proxy's side or the
 * application's) or an outbound of the Dataplane. The metrics endpoint is not generated there (it would
 * shadow the application), which Kuma does silently and we report.
 */
export function usedInterface(dataplane: DataplaneSpec, address: string, port: number): string | undefined {
  const net = dataplane.networking;
  for (const inbound of net.inbound ?? []) {
    if (inbound.port === port && overlap(address, inbound.address ?? net.address)) return `inbound ${inbound.address ?? net.address}:${port}`;
    const servicePort = inbound.servicePort ?? inbound.port;
    const serviceAddress = inbound.serviceAddress ?? '127.0.0.1';
    if (servicePort === port && overlap(address, serviceAddress)) return `the application's ${serviceAddress}:${port}`;
  }
  for (const outbound of net.outbound ?? []) {
    const outboundAddress = outbound.address ?? '127.0.0.1';
    if (outbound.port === port && overlap(address, outboundAddress)) return `outbound ${outboundAddress}:${port}`;
  }
  return undefined;
}
