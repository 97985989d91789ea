import { ApiClient } from './api-client.js';
import { currentControlPlane, defaultConfigPath, loadKumactlConfig } from './config-file.js';
import { styleFor, type Style } from './style.js';

/** Options every kumactl command accepts. */
export interface GlobalArgs {
  readonly 'config-file'?: string | undefined;
}

/** What a command needs from its surroundings: where the config is, how to talk to the API, how to print. */
export interface CommandContext {
  readonly configPath: string;
  client(): ApiClient;
  out(text: string): void;
  readonly style: Style;
}

export function contextOf(argv: GlobalArgs): CommandContext {
  const configPath = argv['config-file'] ?? defaultConfigPath();
  return {
    configPath,
    client: () => {
      const cp = currentControlPlane(loadKumactlConfig(configPath));
      return new ApiClient(cp.url, cp.auth);
    },
    out: (text) => process.stdout.write(text),
    style: styleFor(process.stdout),
  };
}

/** Human age of an RFC 3339 time (`42s`, `5m`, `3h`, `2d`), `-` when unknown or never. */
export function ago(time: string | undefined, now = Date.now()): string {
  if (!time) return 'never';
  const t = Date.parse(time);
  if (Number.isNaN(t)) return '-';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
