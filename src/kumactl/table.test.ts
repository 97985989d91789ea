import { describe, expect, it } from 'vitest';
import { renderTable } from './table.js';
import { styleFor, visibleLength } from './style.js';

describe('renderTable', () => {
  it('aligns columns on the widest cell and upper-cases headers', () => {
    const out = renderTable(['mesh', 'name', 'age'], [['default', 'web-1', '3s'], ['m', 'backend-long', '1h']]);
    expect(out).toBe('MESH      NAME           AGE\ndefault   web-1          3s\nm         backend-long   1h\n');
  });

  it('ignores colour escapes when measuring', () => {
    const red = styleFor({ isTTY: true }, {}).red('Offline');
    const out = renderTable(['status', 'x'], [[red, 'a'], ['Online', 'b']]).split('\n');
    expect(visibleLength(out[1] ?? '')).toBe(visibleLength(out[2] ?? ''));
  });

  it('uses no colours off a terminal or with NO_COLOR', () => {
    expect(styleFor({ isTTY: false }, {}).red('x')).toBe('x');
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' }).red('x')).toBe('x');
  });
});
