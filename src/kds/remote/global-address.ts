import { ConfigError } from '../../core/errors.js';

export interface GlobalAddress {
  /** `host:port` for the gRPC channel. */
  readonly target: string;
  /** `grpcs://`: TLS, verified against the configured CA (or the system roots). */
  readonly tls: boolean;
}

/** `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS), as Kuma's zone `globalAddress`. */
export function parseGlobalAddress(address: string): GlobalAddress {
  const m = /^([a-z]+):\/\/(.+)$/.exec(address);
  if (!m) throw new ConfigError(`invalid global address "${address}": expected grpc://HOST:PORT or grpcs://HOST:PORT`);
  const [, scheme, rest] = m;
  if (scheme !== 'grpc' && scheme !== 'grpcs') throw new ConfigError(`unsupported scheme "${scheme}" in global address. Use one of [grpc grpcs]`);
  const target = (rest ?? '').replace(/\/+$/, '');
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):\d{1,5}$/.test(target)) throw new ConfigError(`invalid global address "${address}": expected grpc://HOST:PORT or grpcs://HOST:PORT`);
  return { target, tls: scheme === 'grpcs' };
}
