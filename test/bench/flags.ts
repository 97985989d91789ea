/** `--name value` / `--name=value` / `--flag` command-line flags of `npm run bench -- <bench...> [flags]`. */
export interface Flags {
  readonly names: readonly string[];
  number(name: string): number | undefined;
  string(name: string): string | undefined;
  has(name: string): boolean;
}

/** Flags that take no value. */
const BOOLEAN: ReadonlySet<string> = new Set(['profile']);

export function parseFlags(argv: readonly string[]): Flags {
  const names: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      names.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (BOOLEAN.has(arg.slice(2)) || argv[i + 1] === undefined || (argv[i + 1] ?? '').startsWith('--')) values.set(arg.slice(2), 'true');
    else values.set(arg.slice(2), argv[++i] ?? '');
  }
  return {
    names,
    number(name) {
      const v = values.get(name);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got "${v}"`);
      return n;
    },
    string: (name) => values.get(name),
    has: (name) => values.has(name),
  };
}
