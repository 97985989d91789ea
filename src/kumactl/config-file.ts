import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { usageError } from './kumactl-error.js';

export const AUTH_TYPES = ['tokens'] as const;

/** How kumactl authenticates to one control plane (Kuma's `authType` + `authConf`). */
export interface ApiAuth {
  readonly authType: (typeof AUTH_TYPES)[number];
  readonly authConf: Readonly<Record<string, string>>;
}

/** kumactl's configuration, in Kuma's `~/.kumactl/config` format (contexts pointing at control planes). */
const configSchema = z.object({
  contexts: z.array(z.object({ name: z.string().min(1), controlPlane: z.string().min(1) })).default([]),
  controlPlanes: z
    .array(
      z.object({
        name: z.string().min(1),
        coordinates: z.object({
          apiServer: z.object({
            url: z.string().min(1),
            /** Kuma's `--auth-type`: `tokens` sends `authConf.token` as `authorization: Bearer <token>`. */
            authType: z.enum(AUTH_TYPES).optional(),
            authConf: z.record(z.string(), z.string()).optional(),
          }),
        }),
      }),
    )
    .default([]),
  currentContext: z.string().default(''),
});

export type KumactlConfig = z.output<typeof configSchema>;

export interface ControlPlaneEntry {
  readonly name: string;
  readonly url: string;
  readonly active: boolean;
  readonly auth?: ApiAuth;
}

/** Used when the config file does not exist yet, as Kuma's kumactl does. */
export const DEFAULT_CONFIG: Readonly<KumactlConfig> = {
  contexts: [{ name: 'local', controlPlane: 'local' }],
  controlPlanes: [{ name: 'local', coordinates: { apiServer: { url: 'http://localhost:5681' } } }],
  currentContext: 'local',
};

export function defaultConfigPath(): string {
  return join(homedir(), '.kumactl', 'config');
}

export function loadKumactlConfig(path: string): KumactlConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(DEFAULT_CONFIG);
    throw usageError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw usageError(`${path} is not valid YAML: ${((err as Error).message.split('\n')[0] ?? '').trim()}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw usageError(`${path} is not a kumactl config: ${issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/** Written to a temporary file and renamed, so a crash never leaves half a config. */
export function saveKumactlConfig(path: string, config: KumactlConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, stringify(config), { mode: 0o600 });
  renameSync(tmp, path);
}

export function controlPlanes(config: KumactlConfig): ControlPlaneEntry[] {
  const current = config.contexts.find((c) => c.name === config.currentContext)?.controlPlane;
  return config.controlPlanes.map((cp) => {
    const { url, authType, authConf } = cp.coordinates.apiServer;
    return { name: cp.name, url, active: cp.name === current, ...(authType ? { auth: { authType, authConf: authConf ?? {} } } : {}) };
  });
}

/** The current context's control plane. */
export function currentControlPlane(config: KumactlConfig): ControlPlaneEntry {
  const active = controlPlanes(config).find((cp) => cp.active);
  if (!active) throw usageError(`no active control plane: add one with "kumactl config control-planes add --name NAME --address URL"`);
  return active;
}

/** Adds (or with `overwrite` replaces) a control plane and makes it the current context. */
export function addControlPlane(config: KumactlConfig, name: string, url: string, overwrite: boolean, auth?: ApiAuth): KumactlConfig {
  const exists = config.controlPlanes.some((cp) => cp.name === name);
  if (exists && !overwrite) throw usageError(`Control Plane with name "${name}" already exists. Use --overwrite to replace it`);
  const apiServer = auth ? { url, authType: auth.authType, authConf: { ...auth.authConf } } : { url };
  const controlPlanes = [...config.controlPlanes.filter((cp) => cp.name !== name), { name, coordinates: { apiServer } }];
  const contexts = [...config.contexts.filter((c) => c.name !== name), { name, controlPlane: name }];
  return { controlPlanes, contexts, currentContext: name };
}

export function useControlPlane(config: KumactlConfig, name: string): KumactlConfig {
  if (!config.controlPlanes.some((cp) => cp.name === name)) throw usageError(`there is no Control Plane with name "${name}"`);
  const contexts = config.contexts.some((c) => c.name === name) ? config.contexts : [...config.contexts, { name, controlPlane: name }];
  return { ...config, contexts, currentContext: name };
}

export function removeControlPlane(config: KumactlConfig, name: string): KumactlConfig {
  if (!config.controlPlanes.some((cp) => cp.name === name)) throw usageError(`there is no Control Plane with name "${name}"`);
  return {
    controlPlanes: config.controlPlanes.filter((cp) => cp.name !== name),
    contexts: config.contexts.filter((c) => c.controlPlane !== name),
    currentContext: config.currentContext === name ? '' : config.currentContext,
  };
}
