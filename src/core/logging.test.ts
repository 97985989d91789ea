import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { clip } from './clip.js';
import { MAX_LOGGED_STRING, configureLogging, logger } from './logging.js';

describe('clip', () => {
  it('keeps short text and shortens long text with its length', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('x'.repeat(1_000_000), 4)).toBe('xxxx…(1000000 chars)');
  });
});

describe('log lines', () => {
  it('carry peer-supplied strings and arrays bounded', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
    configureLogging('info', sink);
    logger('t').info({ node: 'n'.repeat(1_000_000), names: Array.from({ length: 1000 }, (_, i) => `c${i}`), nested: { a: { b: 'y'.repeat(5000) } } }, 'peer');
    configureLogging('off');
    const line = lines.join('');
    expect(line.length).toBeLessThan(10 * MAX_LOGGED_STRING);
    const rec = JSON.parse(line) as { node: string; names: string[]; nested: { a: { b: string } } };
    expect(rec.node).toBe(`${'n'.repeat(MAX_LOGGED_STRING)}…(1000000 chars)`);
    expect(rec.names).toHaveLength(101);
    expect(rec.names.at(-1)).toBe('…(1000 items)');
    expect(rec.nested.a.b).toMatch(/…\(5000 chars\)$/);
  });
});
