/** Colours on a terminal only: never in files, pipes, or with NO_COLOR set. */
export interface Style {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly bold: (s: string) => string;
}

const wrap = (code: number, s: string): string => `\u001b[${code}m${s}\u001b[0m`;
const plain: Readonly<Style> = { green: (s) => s, red: (s) => s, yellow: (s) => s, bold: (s) => s };
const ansi: Readonly<Style> = { green: (s) => wrap(32, s), red: (s) => wrap(31, s), yellow: (s) => wrap(33, s), bold: (s) => wrap(1, s) };

export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb' ? ansi : plain;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** Printed width of `s` (escape sequences take no room). */
export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}
