import { pino, type Logger, type LevelWithSilent } from 'pino';
import { textDestination } from './log-text.js';

export type { Logger };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';
/** `json`: one JSON object per line (for collectors); `text`: one readable line per event (terminals). */
export type LogFormat = 'json' | 'text';

let root: Logger = pino({ level: 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime });

/** Configure the process-wide root logger (called once by the CLI). Logs go to stdout, JSON lines by default. */
export function configureLogging(level: LogLevel, format: LogFormat = 'json'): void {
  const pinoLevel: LevelWithSilent = level === 'off' ? 'silent' : level;
  const options = { level: pinoLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  root = format === 'text' ? pino(options, textDestination(process.stdout)) : pino(options);
}

/** A named child logger: every line carries `component`. */
export function logger(component: string): Logger {
  return root.child({ component });
}
