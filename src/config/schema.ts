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
        type: z.enum(['sqlite', 'memory', 'postgres']).default('sqlite'),
        sqlite: z.object({ path: z.string().min(1).default('kuma-cp.db') }).strict().prefault({}),
        /** Kuma's `store.postgres` keys and defaults (KUMA_STORE_POSTGRES_*): several instances may share one database. */
        postgres: z
          .object({
            host: z.string().min(1).default('127.0.0.1'),
            port: port.default(15432),
            user: z.string().min(1).default('kuma'),
            password: z.string().default('kuma'),
            dbName: z.string().min(1).default('kuma'),
            /** Seconds to wait for a new connection. */
            connectionTimeout: z.number().int().positive().default(5),
            /** Size of the connection pool (Kuma's default since 1.3.1); one more connection listens for changes. */
            maxOpenConnections: z.number().int().positive().default(50),
            tls: z
              .object({
                mode: z.enum(['disable', 'verifyNone', 'verifyCa', 'verifyFull']).default('disable'),
                /** CA bundle the server certificate must chain to (required by verifyCa and verifyFull). */
                caPath: z.string().default(''),
                /** Client certificate and key, both or neither. */
                certPath: z.string().default(''),
                keyPath: z.string().default(''),
              })
              .strict()
              .prefault({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    apiServer: z
      .object({
        http: z.object({ interface: z.string().min(1).default('0.0.0.0'), port: port.default(5681) }).strict().prefault({}),
        /** Largest accepted request body. */
        maxBodyBytes: z.number().int().positive().default(1024 * 1024),
        authn: z
          .object({
            /** Kuma 2.x: user tokens (`authorization: Bearer <JWT>`); the only type. */
            type: z.enum(['tokens']).default('tokens'),
            /** Requests from 127.0.0.1 / ::1 are admin (`mesh-system:admin`), whatever token they carry. */
            localhostIsAdmin: z.boolean().default(true),
            /** What callers without the admin group may do: read everything but secrets, or nothing at all (401/403). */
            nonAdmin: z.enum(['readOnly', 'none']).default('readOnly'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    dpServer: z
      .object({
        port: port.default(5678),
        interface: z.string().min(1).default('0.0.0.0'),
        authn: z
          .object({
            /** `dpToken`: every proxy presents a data-plane token (ADS and bootstrap); `none`: anyone connects (development only). */
            dpProxy: z.object({ type: z.enum(['dpToken', 'none']).default('dpToken') }).strict().prefault({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    bootstrapServer: z
      .object({
        port: port.default(5682),
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
        /** After a start, inline Dataplanes whose proxy has not reconnected within this are removed (ghosts of a killed CP). */
        inlineDataplaneGracePeriod: duration.default('30s'),
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
                /** `zoneToken`: a zone CP must present a zone token (scope `cp`) naming its zone; `none`: any zone name is accepted (development only). */
                auth: z.object({ type: z.enum(['zoneToken', 'none']).default('zoneToken') }).strict().prefault({}),
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
            /** The zone token sent to the global (inline, or read from a file at each connect). */
            kds: z.object({ auth: z.object({ tokenInline: z.string().default(''), tokenPath: z.string().default('') }).strict().prefault({}) }).strict().prefault({}),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    diagnostics: z.object({ serverPort: port.default(5680), interface: z.string().min(1).default('0.0.0.0') }).strict().prefault({}),
    defaults: z.object({ skipMeshCreation: z.boolean().default(false) }).strict().prefault({}),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'off']).default('info'),
    /** Empty = `text` when stdout is a terminal, `json` otherwise. */
    logFormat: z.enum(['', 'text', 'json']).default(''),
    runtime: z
      .object({
        universal: z
          .object({
            /** A Dataplane offline longer than this is deleted with its insight (Kuma's default); 0 = never. */
            dataplaneCleanupAge: duration.or(z.literal('0')).default('72h'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
