import { z } from 'zod';

const port = z.number().int().min(0, 'port has to be in range of [0, 65535]').max(65535, 'port has to be in range of [0, 65535]');
const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'must be a duration like 500ms, 10s, 5m, 1h');

function isIpv4Cidr(text: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

export const MODES = ['standalone', 'global', 'remote'] as const;

export type Mode = (typeof MODES)[number];

/**
 * The whole control-plane configuration. Defaults live here and only here; keys follow Kuma's YAML
 * (`kuma-cp.defaults.yaml`) and map to `KUMA_*` env vars by camelCase -> UPPER_SNAKE (config/env.ts).
 */
export const configSchema = z
  .object({
    mode: z.enum(MODES).default('standalone'),
    store: z
      .object({
        type: z.enum(['sqlite', 'memory']).default('sqlite'),
        sqlite: z.object({ path: z.string().min(1).default('kuma-cp.db') }).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    apiServer: z
      .object({
        http: z.object({ interface: z.string().min(1).default('0.0.0.0'), port: port.default(5681) }).strict().prefault({}),
        /** Largest accepted request body. */
        maxBodyBytes: z.number().int().positive().default(1024 * 1024),
      })
      .strict()
      .prefault({}),
    dpServer: z
      .object({
        port: port.default(5678),
        interface: z.string().min(1).default('0.0.0.0'),
      })
      .strict()
      .prefault({}),
    bootstrapServer: z
      .object({
        port: port.default(5679),
        interface: z.string().min(1).default('0.0.0.0'),
        /** Address data planes use to reach the xDS server; defaults to the host name of the bootstrap request. */
        xdsHost: z.string().default(''),
        xdsPort: port.default(0),
      })
      .strict()
      .prefault({}),
    xdsServer: z
      .object({
        /** Debounce between a store change and regeneration of the affected proxies. */
        debounce: duration.default('50ms'),
        dataplaneStatusFlushInterval: duration.default('10s'),
        nackBackoff: duration.default('5s'),
      })
      .strict()
      .prefault({}),
    dnsServer: z
      .object({
        domain: z.string().min(1).default('mesh'),
        port: port.default(5653),
        interface: z.string().min(1).default('0.0.0.0'),
        CIDR: z.string().refine(isIpv4Cidr, 'must be an IPv4 CIDR like 240.0.0.0/4').default('240.0.0.0/4'),
        ttl: z.number().int().min(1).max(86400).default(30),
        /** Upstream resolvers (`host:port`, port 53 if omitted) for names outside the domain; empty = REFUSED. */
        upstreams: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    multizone: z
      .object({
        global: z
          .object({
            kds: z
              .object({
                grpcPort: port.default(5685),
                interface: z.string().min(1).default('0.0.0.0'),
                maxMsgSize: z.number().int().positive().default(10 * 1024 * 1024),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
        remote: z
          .object({
            zone: z.string().default(''),
            globalAddress: z.string().default(''),
            /** For `grpcs://`: the CA the zone trusts for the global's KDS certificate (empty = system roots). */
            kds: z.object({ rootCaFile: z.string().default(''), tlsSkipVerify: z.boolean().default(false) }).strict().prefault({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    diagnostics: z.object({ serverPort: port.default(5680), interface: z.string().min(1).default('0.0.0.0') }).strict().prefault({}),
    defaults: z.object({ skipMeshCreation: z.boolean().default(false) }).strict().prefault({}),
    general: z
      .object({
        /** Open connections one port accepts, in total and from one source address. */
        maxConnectionsPerPort: z.number().int().positive().default(8192),
        maxConnectionsPerSource: z.number().int().positive().default(2048),
        /** A connection that sends nothing for this long is closed. */
        idleConnectionTimeout: duration.default('10s'),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'off']).default('info'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
