/** Tags with a meaning to the control plane (Kuma's `kuma.io/*` tags) and the protocols `kuma.io/protocol` may name. */
export type Tags = Record<string, string>;

export const SERVICE_TAG = 'kuma.io/service';
export const PROTOCOL_TAG = 'kuma.io/protocol';
export const ZONE_TAG = 'kuma.io/zone';

export type Protocol = 'http' | 'http2' | 'grpc' | 'tcp' | 'kafka';
export const PROTOCOLS: readonly Protocol[] = ['http', 'http2', 'grpc', 'tcp', 'kafka'];
