import { pino, type DestinationStream, type Logger, type LevelWithSilent, type LoggerOptions } from 'pino';
import { clip } from './clip.js';
import { textDestination } from './log-text.js';

export type { Logger };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';
/** `json`: one JSON object per line (for collectors); `text`: one readable line per event (terminals). */
export type LogFormat = 'json' | 'text';

/** Longest string value a log line carries; node ids, names and error texts are often peer-supplied. */
export const MAX_LOGGED_STRING = 1024;
const MAX_LOGGED_ITEMS = 100;

/** Strings clipped and arrays cut, a few levels deep: one log line stays bounded whatever a peer sent. */
function bounded(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return clip(value, MAX_LOGGED_STRING);
  if (depth === 0 || typeof value !== 'object' || value === null || value instanceof Error) return value;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LOGGED_ITEMS).map((v) => bounded(v, depth - 1));
    return value.length > MAX_LOGGED_ITEMS ? [...items, `…(${value.length} items)`] : items;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bounded(v, depth - 1)]));
}

const options = (level: LevelWithSilent): LoggerOptions => ({
  level,
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { log: (obj) => bounded(obj, 6) as Record<string, unknown> },
});

// The process's default root logger (stdout), configured once by the CLI. A runtime built with its own root
// (buildRuntime's `log`) logs through that instead (rt.logger).
let root: Logger = pino(options('info'));
let settings: { readonly level: LogLevel; readonly format: LogFormat } = { level: 'info', format: 'json' };

/**
 * Configure the process-wide root logger (called once by the CLI). Logs go to stdout (or `destination`),
 * JSON lines by default, one readable text line per event with `format` text.
 */
export function configureLogging(level: LogLevel, destination?: DestinationStream, format: LogFormat = 'json'): void {
  const pinoLevel: LevelWithSilent = level === 'off' ? 'silent' : level;
  const out = format === 'text' ? textDestination(destination ?? process.stdout) : destination;
  root = out ? pino(options(pinoLevel), out) : pino(options(pinoLevel));
  settings = { level, format };
}

/** The level and format of the last `configureLogging` (a worker thread logs the same way). */
export function loggingSettings(): { readonly level: LogLevel; readonly format: LogFormat } {
  return settings;
}

/** A named child logger: every line carries `component`. */
export function logger(component: string): Logger {
  return root.child({ component });
}
