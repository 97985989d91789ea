import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SERVICE_TAG, type DataplaneSpec } from '../../core/resources/specs.js';

/** kuma-dp 1.x `POST /bootstrap` body (unknown fields such as caCert are accepted and ignored). */
export const bootstrapRequestSchema = z.looseObject({
  /** Empty for a zone ingress (`proxyType: ingress`): it serves every mesh. */
  mesh: z.string(),
  name: z.string().min(1),
  adminPort: z.number().int().min(0).max(65535).optional(),
  dataplaneResource: z.string().optional(),
  version: z.record(z.string(), z.unknown()).optional(),
  dnsPort: z.number().int().min(0).max(65535).optional(),
  emptyDnsPort: z.number().int().min(0).max(65535).optional(),
  dynamicMetadata: z.record(z.string(), z.string()).optional(),
  bootstrapVersion: z.string().optional(),
  /** The data-plane token's content (kuma-dp reads `dataplaneTokenPath` itself and sends both). */
  dataplaneToken: z.string().optional(),
  /** kuma-dp's `--proxy-type`: `dataplane` (default) or `ingress` (a ZoneIngress of this zone, node id `.<name>`). */
  proxyType: z.enum(['dataplane', 'ingress']).optional(),
}).refine((r) => (r.proxyType === 'ingress') === (r.mesh === ''), { path: ['mesh'], message: 'must be empty for proxyType ingress, and only then' });

export type BootstrapRequest = z.infer<typeof bootstrapRequestSchema>;

/** The inline Dataplane kuma-dp sent (flat Kuma shape, JSON or YAML); undefined if it is not one. */
export function parseInlineDataplane(text: string): { mesh?: string; name?: string; spec: DataplaneSpec } | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const { type, mesh, name, creationTime: _c, modificationTime: _m, ...spec } = doc as Record<string, unknown>;
  if ((type !== undefined && type !== 'Dataplane') || !spec['networking'] || typeof spec['networking'] !== 'object') return undefined;
  return {
    ...(typeof mesh === 'string' ? { mesh } : {}),
    ...(typeof name === 'string' ? { name } : {}),
    spec: spec as unknown as DataplaneSpec,
  };
}

/** node.cluster: the service of the first inbound, or of the gateway. */
export function serviceOf(spec: DataplaneSpec, fallback: string): string {
  return spec.networking.inbound?.[0]?.tags[SERVICE_TAG] ?? spec.networking.gateway?.tags[SERVICE_TAG] ?? fallback;
}
