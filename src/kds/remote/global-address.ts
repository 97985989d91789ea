import { ConfigError } from '../../core/errors.js';

/** `grpc://host:port` -> `host:port` (plaintext). TLS (`grpcs://`) is not supported yet. */
export function parseGlobalAddress(address: string): string {
  const m = /^([a-z]+):\/\/(.+)$/.exec(address);
  if (!m) throw new ConfigError(`invalid global address "${address}": expected grpc://HOST:PORT`);
  const [, scheme, rest] = m;
  if (scheme === 'grpcs') throw new ConfigError(`global address "${address}": grpcs:// (TLS) is not supported yet, use grpc://`);
  if (scheme !== 'grpc') throw new ConfigError(`unsupported scheme "${scheme}" in global address`);
  const target = (rest ?? '').replace(/\/+$/, '');
  if (!/^(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):\d{1,5}$/.test(target)) throw new ConfigError(`invalid global address "${address}": expected grpc://HOST:PORT`);
  return target;
}
