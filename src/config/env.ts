import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { configSchema } from './schema.js';

type LeafKind = 'number' | 'boolean' | 'array' | 'string';

interface Leaf {
  readonly path: readonly string[];
  readonly env: string;
  readonly kind: LeafKind;
}

/** Env vars of other Kuma versions that mean the same key. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  KUMA_MULTIZONE_REMOTE_ZONE: ['KUMA_MULTIZONE_ZONE_NAME'],
  // Kuma 1.1 had a gRPC-only MADS port (`monitoringAssignmentServer.grpcPort`).
  KUMA_MONITORING_ASSIGNMENT_SERVER_PORT: ['KUMA_MONITORING_ASSIGNMENT_SERVER_GRPC_PORT'],
  KUMA_MULTIZONE_REMOTE_GLOBAL_ADDRESS: ['KUMA_MULTIZONE_ZONE_GLOBAL_ADDRESS'],
  KUMA_MULTIZONE_REMOTE_KDS_ROOT_CA_FILE: ['KUMA_MULTIZONE_ZONE_KDS_ROOT_CA_FILE'],
  KUMA_MULTIZONE_REMOTE_KDS_TLS_SKIP_VERIFY: ['KUMA_MULTIZONE_ZONE_KDS_TLS_SKIP_VERIFY'],
  KUMA_MULTIZONE_REMOTE_KDS_AUTH_TOKEN_INLINE: ['KUMA_MULTIZONE_ZONE_KDS_AUTH_TOKEN_INLINE'],
  KUMA_MULTIZONE_REMOTE_KDS_AUTH_TOKEN_PATH: ['KUMA_MULTIZONE_ZONE_KDS_AUTH_TOKEN_PATH'],
};

function unwrap(t: z.core.$ZodType): z.core.$ZodType {
  let cur = t;
  for (;;) {
    const inner = (cur._zod.def as { innerType?: z.core.$ZodType }).innerType;
    if (!inner) return cur;
    cur = inner;
  }
}

/** `apiServer.http.port` -> `KUMA_API_SERVER_HTTP_PORT`, `dnsServer.CIDR` -> `KUMA_DNS_SERVER_CIDR`. */
export function envName(path: readonly string[]): string {
  return `KUMA_${path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

function leaves(t: z.core.$ZodType, path: string[]): Leaf[] {
  const u = unwrap(t);
  const def = u._zod.def as { type: string; shape?: Record<string, z.core.$ZodType> };
  if (def.type === 'object' && def.shape) {
    return Object.entries(def.shape).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  const kind: LeafKind = def.type === 'number' || def.type === 'boolean' || def.type === 'array' ? def.type : 'string';
  return [{ path, env: envName(path), kind }];
}

/** Every configurable key with its env var name, derived from the schema (one source of truth). */
export const configLeaves: readonly Leaf[] = leaves(configSchema, []);

function parseValue(leaf: Leaf, raw: string, from: string): unknown {
  switch (leaf.kind) {
    case 'number': {
      if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${from}: "${raw}" is not an integer`);
      return Number(raw);
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (v === 'true' || v === '1') return true;
      if (v === 'false' || v === '0') return false;
      throw new ConfigError(`${from}: "${raw}" is not a boolean (true/false)`);
    }
    case 'array':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'string':
      return raw;
  }
}

/** A partial config object from `KUMA_*` variables. */
export function configFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const leaf of configLeaves) {
    const name = [leaf.env, ...(ALIASES[leaf.env] ?? [])].find((n) => env[n] !== undefined);
    if (!name) continue;
    setPath(out, leaf.path, parseValue(leaf, env[name] ?? '', name));
  }
  return out;
}

export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      cur[key] = value;
      return;
    }
    const next = cur[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
}
