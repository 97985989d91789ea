/** pino's numeric levels, as operators read them. */
const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** A head field as written: a string as is, anything else as JSON, nothing when absent. */
function text(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
}

/**
 * One pino JSON line as one text line for a terminal:
 * `2026-01-02T03:04:05.000Z INFO  api-server: listening server=api-server port=5681`.
 */
export function formatTextLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, component, msg, ...fields } = rec;
  const head = `${text(time)} ${(LEVELS[Number(level)] ?? String(level)).padEnd(5)} ${component ? `${text(component)}: ` : ''}${text(msg)}`;
  const rest = Object.entries(fields).map(([k, v]) => `${k}=${value(v)}`);
  return rest.length > 0 ? `${head} ${rest.join(' ')}\n` : `${head}\n`;
}

/** A pino destination that writes text lines to `out` (synchronously, like pino's default stdout). */
export function textDestination(out: { write(s: string): unknown }): { write(line: string): void } {
  return { write: (chunk: string) => void out.write(chunk.split('\n').filter((l) => l !== '').map(formatTextLine).join('')) };
}
