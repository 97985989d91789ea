import { describe, expect, it } from 'vitest';
import { parseFlags } from './flags.js';
import { jsonLine } from './report.js';

describe('bench report', () => {
  it('prints one JSON line per figure with ratio and target verdict', () => {
    const line = JSON.parse(jsonLine('xds', { scenario: 'a', metric: 'change_all_acked_p99_ms', value: 412, unit: 'ms', baseline: 230, target: 1.5, targetOn: 'ratio' })) as Record<string, unknown>;
    expect(line).toEqual({ bench: 'xds', scenario: 'a', metric: 'change_all_acked_p99_ms', value: 412, unit: 'ms', baseline: 230, ratio: 1.791, target: 1.5, target_on: 'ratio', met: false });
    expect(JSON.parse(jsonLine('dns', { metric: 'qps', value: 10, unit: 'q/s' }))).toEqual({ bench: 'dns', metric: 'qps', value: 10, unit: 'q/s' });
    expect(JSON.parse(jsonLine('xds', { metric: 'cp_rss_mb', value: 90, unit: 'MB', target: 100 }))).toMatchObject({ met: true });
  });

  it('parses bench names and flags', () => {
    const f = parseFlags(['xds', '--services', '10', '--replicas=3', '--profile', 'dns']);
    expect(f.names).toEqual(['xds', 'dns']);
    expect(f.number('services')).toBe(10);
    expect(f.number('replicas')).toBe(3);
    expect(f.has('profile')).toBe(true);
    expect(() => parseFlags(['--changes', 'x']).number('changes')).toThrow(/positive number/);
  });
});
