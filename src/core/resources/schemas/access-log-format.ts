/**
 * Kuma's access log placeholders (pkg/envoy/accesslog: CMD_KUMA_*), which the control plane replaces with
 * the proxy's own values before Envoy sees a logging backend's `format`. Anything else in `%...%` is an
 * Envoy command left to Envoy.
 */
export const KUMA_PLACEHOLDERS = [
  'KUMA_MESH',
  'KUMA_SOURCE_SERVICE',
  'KUMA_DESTINATION_SERVICE',
  'KUMA_SOURCE_ADDRESS',
  'KUMA_SOURCE_ADDRESS_WITHOUT_PORT',
  'KUMA_TRAFFIC_DIRECTION',
] as const;
export type KumaPlaceholder = (typeof KUMA_PLACEHOLDERS)[number];

export const KUMA_PLACEHOLDER_PATTERN = /%(KUMA_[A-Z0-9_]*)%/g;

/** The `%KUMA_...%` names a format uses (known or not), each once, in order of first use. */
export function kumaPlaceholdersIn(format: string): string[] {
  return [...new Set([...format.matchAll(KUMA_PLACEHOLDER_PATTERN)].map((m) => m[1] ?? ''))];
}

export function isKumaPlaceholder(name: string): name is KumaPlaceholder {
  return (KUMA_PLACEHOLDERS as readonly string[]).includes(name);
}
