/**
 * How every bench reports: a table for people, then one JSON line per figure for machines, e.g.
 * `{"bench":"xds","metric":"change_all_acked_p99_ms","value":412,"unit":"ms","baseline":230,"ratio":1.79}`
 * (`baseline`/`ratio` only where a same-run baseline exists; `target` and `met` where the issue sets one).
 */
export interface Figure {
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The same figure measured on the same-run baseline. */
  readonly baseline?: number;
  /** What the baseline is, for the table. */
  readonly baselineLabel?: string;
  /** Largest acceptable value (or ratio, with `targetOn: 'ratio'`). */
  readonly target?: number;
  readonly targetOn?: 'value' | 'ratio';
  /** Scenario or sizes this figure belongs to (e.g. `a`), when a bench runs several. */
  readonly scenario?: string;
  readonly note?: string;
}

const round = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x);

function ratioOf(f: Figure): number | undefined {
  return f.baseline !== undefined && f.baseline > 0 ? f.value / f.baseline : undefined;
}

function metOf(f: Figure): boolean | undefined {
  if (f.target === undefined) return undefined;
  const measured = f.targetOn === 'ratio' ? ratioOf(f) : f.value;
  return measured !== undefined && Number.isFinite(measured) && measured <= f.target;
}

/** The JSON line of one figure (also used by tests of the format). */
export function jsonLine(bench: string, f: Figure): string {
  const ratio = ratioOf(f);
  const met = metOf(f);
  return JSON.stringify({
    bench,
    ...(f.scenario ? { scenario: f.scenario } : {}),
    metric: f.metric,
    value: round(f.value),
    unit: f.unit,
    ...(f.baseline !== undefined ? { baseline: round(f.baseline) } : {}),
    ...(ratio !== undefined ? { ratio: round(ratio) } : {}),
    ...(f.target !== undefined ? { target: f.target, target_on: f.targetOn ?? 'value', met } : {}),
    ...(f.note ? { note: f.note } : {}),
  });
}

/** Prints the table, then the JSON lines, on stdout. */
export function report(bench: string, title: string, figures: readonly Figure[]): void {
  console.log(`\n${title}`);
  console.table(
    figures.map((f) => {
      const ratio = ratioOf(f);
      const met = metOf(f);
      return {
        ...(f.scenario ? { scenario: f.scenario } : {}),
        metric: f.metric,
        value: `${fmt(f.value)} ${f.unit}`,
        baseline: f.baseline !== undefined ? `${fmt(f.baseline)} ${f.unit}${f.baselineLabel ? ` (${f.baselineLabel})` : ''}` : '',
        ratio: ratio !== undefined ? ratio.toFixed(2) : '',
        target: f.target !== undefined ? `${f.targetOn === 'ratio' ? 'ratio' : ''} <= ${f.target}${met ? ' met' : ' MISSED'}` : '',
      };
    }),
  );
  for (const f of figures) console.log(jsonLine(bench, f));
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2);
}
