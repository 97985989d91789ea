import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

let root: Logger = pino({ level: 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime });

/** Configure the process-wide root logger (called once by the CLI). Logs go to stdout as JSON lines. */
export function configureLogging(level: LogLevel): void {
  const pinoLevel: LevelWithSilent = level === 'off' ? 'silent' : level;
  root = pino({ level: pinoLevel, base: undefined, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A named child logger: every line carries `component`. */
export function logger(component: string): Logger {
  return root.child({ component });
}
