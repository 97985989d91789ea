import { isValidZoneName, ZONE_NAME_RULE } from '../core/resources/zone-name.js';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError, errorMessage } from '../core/errors.js';
import { configFromEnv, setPath } from './env.js';
import { configSchema, type Config } from './schema.js';

/** Values given on the command line, already named by config path. */
export interface ConfigOverrides {
  readonly mode?: string;
  readonly zone?: string;
  readonly globalAddress?: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
}

export interface LoadInput {
  readonly file?: string;
  readonly env: NodeJS.ProcessEnv;
  readonly overrides: ConfigOverrides;
}

/** `--zone` / `--global-address` mean something only to a zone control plane; silently ignoring them hides a mistake. */
function checkZoneFlags(cfg: Config, o: ConfigOverrides): void {
  if (cfg.mode === 'remote') return;
  const given = [o.zone !== undefined ? '--zone' : '', o.globalAddress !== undefined ? '--global-address' : ''].filter(Boolean).join(' and ');
  if (given) throw new ConfigError(`${given} only appl${given.includes(' and ') ? 'y' : 'ies'} to a zone control plane (--mode=zone), not to mode ${cfg.mode}`);
}

/** defaults < YAML file < KUMA_* env < flags; then validation. Throws ConfigError with one clear line. */
export function loadConfig(input: LoadInput): Config {
  const merged: Record<string, unknown> = {};
  if (input.file) deepMerge(merged, readFile(input.file));
  deepMerge(merged, configFromEnv(input.env));
  const o = input.overrides;
  if (o.mode !== undefined) setPath(merged, ['mode'], o.mode);
  if (o.zone !== undefined) setPath(merged, ['multizone', 'remote', 'zone'], o.zone);
  if (o.globalAddress !== undefined) setPath(merged, ['multizone', 'remote', 'globalAddress'], o.globalAddress);
  if (o.logLevel !== undefined) setPath(merged, ['logLevel'], o.logLevel);
  if (o.logFormat !== undefined) setPath(merged, ['logFormat'], o.logFormat);
  if (merged['mode'] === 'zone') merged['mode'] = 'remote';

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${formatIssue(parsed.error.issues)}`);
  checkModeRules(parsed.data);
  checkZoneFlags(parsed.data, o);
  return parsed.data;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${errorMessage(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${errorMessage(err).split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${file} must hold a YAML mapping`);
  return doc as Record<string, unknown>;
}

function formatIssue(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return 'unknown error';
  const path = first.path.join('.');
  if (first.code === 'unrecognized_keys') {
    const keys = first.keys.map((k) => (path ? `${path}.${k}` : k));
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
  }
  if (path === 'mode' && first.code === 'invalid_value') {
    return 'invalid mode. Available modes: standalone, remote (alias zone), global';
  }
  return `${path || '(root)'}: ${first.message}`;
}

function checkModeRules(cfg: Config): void {
  if (cfg.mode !== 'remote') return;
  const { zone, globalAddress } = cfg.multizone.remote;
  if (!zone) throw new ConfigError('remote mode requires --zone (or KUMA_MULTIZONE_REMOTE_ZONE)');
  if (!isValidZoneName(zone)) {
    throw new ConfigError(`invalid zone name "${zone}": ${ZONE_NAME_RULE}`);
  }
  if (!globalAddress) throw new ConfigError('remote mode requires --global-address (or KUMA_MULTIZONE_REMOTE_GLOBAL_ADDRESS)');
  let url: URL;
  try {
    url = new URL(globalAddress);
  } catch {
    throw new ConfigError(`invalid global address "${globalAddress}": expected grpc://HOST:PORT`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (scheme !== 'grpc' && scheme !== 'grpcs') {
    throw new ConfigError(`unsupported scheme "${scheme}" in global address. Use one of [grpc grpcs]`);
  }
  if (!url.hostname || !url.port) throw new ConfigError(`invalid global address "${globalAddress}": expected grpc://HOST:PORT`);
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (isPlainObject(v) && isPlainObject(cur)) deepMerge(cur, v);
    else target[k] = isPlainObject(v) ? structuredClone(v) : v;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
