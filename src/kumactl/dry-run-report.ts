import type { DryRunResult } from '../core/inspect/dry-run.js';
import type { Style } from './style.js';

/** The API's answer to `?dryRun=true`. */
export interface DryRunAnswer extends DryRunResult {
  readonly action: 'create' | 'update' | 'delete';
}

const SIGN = { added: '+', removed: '-', changed: '~' } as const;
const short = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
const v = (version: string | undefined): string => (version ? version.slice(0, 12) : '-');

/**
 * A dry-run for a person: one headline per resource, then per proxy that would change each resource
 * added (+), removed (-) or changed (~) with its versions, then each distinct diff once.
 */
export function renderDryRun(what: string, answer: DryRunAnswer, style: Style): string {
  const lines: string[] = [];
  const n = answer.proxies.length;
  lines.push(`${what} would be ${answer.action}d: ${n} of ${answer.examined} ${answer.examined === 1 ? 'proxy' : 'proxies'} would change (dry run, nothing written)`);
  for (const e of answer.errors) lines.push(`  ${style.red('!')} ${e.mesh}/${e.name}: ${e.error}`);
  const diffs = new Set<string>();
  for (const p of answer.proxies) {
    lines.push(`  ${style.bold(`${p.mesh}/${p.name}`)} (${p.kind}${p.connected ? ', connected' : ''})`);
    for (const r of p.resources) {
      const sign = SIGN[r.change];
      const colour = r.change === 'added' ? style.green : r.change === 'removed' ? style.red : style.yellow;
      lines.push(`    ${colour(sign)} ${short(r.typeUrl)} ${r.name}  ${v(r.before)} -> ${v(r.after)}`);
      diffs.add(r.diff);
    }
  }
  const out = `${lines.join('\n')}\n`;
  if (diffs.size === 0) return out;
  return `${out}\n${[...diffs].join('\n')}`;
}
