import type { DataplaneSpec, Tags } from '../../core/resources/specs.js';

/**
 * The tag sets a proxy is matched by as the source of a connection (policies' `sources`): every
 * inbound's tags, and the gateway's. Sidecars and proxyless clients are matched the same way.
 */
export function sourceTags(spec: DataplaneSpec): Tags[] {
  const sets = (spec.networking.inbound ?? []).map((i) => i.tags);
  if (spec.networking.gateway) sets.push(spec.networking.gateway.tags);
  return sets;
}
