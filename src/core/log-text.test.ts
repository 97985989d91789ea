import { describe, expect, it } from 'vitest';
import { formatTextLine } from './log-text.js';

describe('formatTextLine', () => {
  it('puts time, level, component and message first, then the fields as key=value', () => {
    const line = JSON.stringify({ level: 30, time: '2026-01-02T03:04:05.000Z', component: 'xds-reconciler', msg: 'config pushed', mesh: 'default', updated: 3, reason: 'a b' });
    expect(formatTextLine(line)).toBe('2026-01-02T03:04:05.000Z INFO  xds-reconciler: config pushed mesh=default updated=3 reason="a b"\n');
  });

  it('passes a line that is not JSON through', () => {
    expect(formatTextLine('plain')).toBe('plain');
  });
});
