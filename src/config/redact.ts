import type { Config } from './schema.js';

/** What a redacted secret reads as (an empty one stays empty: "not set" is not a secret). */
export const REDACTED = '***';

const mask = (value: string): string => (value === '' ? '' : REDACTED);

/**
 * The config with its secrets masked: the Postgres password and the zone token given inline. File paths
 * (TLS keys, token files) stay: they name where a secret is, not the secret. Used wherever the config
 * leaves the process (the start log line, `GET /config`).
 */
export function redactConfig(config: Config): Config {
  const { postgres } = config.store;
  const { kds } = config.multizone.remote;
  return {
    ...config,
    store: { ...config.store, postgres: { ...postgres, password: mask(postgres.password) } },
    multizone: {
      ...config.multizone,
      remote: { ...config.multizone.remote, kds: { ...kds, auth: { ...kds.auth, tokenInline: mask(kds.auth.tokenInline) } } },
    },
  };
}
