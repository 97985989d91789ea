/** Kuma's resource names (pkg/xds/envoy/names): Envoy operators and golden files rely on them. */
export const names = {
  inboundListener: (ip: string, port: number): string => `inbound:${ip}:${port}`,
  outboundListener: (ip: string, port: number): string => `outbound:${ip}:${port}`,
  localCluster: (port: number): string => `localhost:${port}`,
  inboundRoute: (service: string): string => `inbound:${service}`,
  outboundRoute: (service: string): string => `outbound:${service}`,
  inboundPassthrough: 'inbound:passthrough:ipv4',
  outboundPassthrough: 'outbound:passthrough:ipv4',
  probeListener: 'probe:listener',
} as const;

/** Envoy stat prefixes may not contain ':' or '.'-ambiguous characters: `localhost:8080` -> `localhost_8080`. */
export function statPrefix(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_');
}
