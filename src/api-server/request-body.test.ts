import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BadRequestError, PayloadTooLargeError } from '../core/errors.js';
import { formatOf, MAX_BODY_DEPTH, parseBody, readBody } from './request-body.js';

function fakeRequest(headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string> } {
  return Object.assign(new PassThrough(), { headers });
}

describe('readBody', () => {
  it('collects the body up to the limit', async () => {
    const req = fakeRequest();
    const body = readBody(req as unknown as IncomingMessage, 10);
    req.end(Buffer.from('0123456789'));
    expect((await body).toString()).toBe('0123456789');
  });

  it('refuses a declared length over the limit without reading', async () => {
    await expect(readBody(fakeRequest({ 'content-length': '11' }) as unknown as IncomingMessage, 10)).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('stops as soon as an undeclared body passes the limit', async () => {
    const req = fakeRequest();
    const body = readBody(req as unknown as IncomingMessage, 10);
    req.write(Buffer.alloc(6));
    req.write(Buffer.alloc(6));
    await expect(body).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(req.listenerCount('data')).toBe(0);
  });

  it('turns an aborted upload into a BadRequestError', async () => {
    const req = fakeRequest();
    const body = readBody(req as unknown as IncomingMessage, 10);
    req.emit('aborted');
    await expect(body).rejects.toBeInstanceOf(BadRequestError);
  });
});

describe('formatOf', () => {
  it.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/merge-patch+json', 'json'],
    ['application/yaml', 'yaml'],
    ['application/x-yaml', 'yaml'],
    ['text/yaml', 'yaml'],
    ['TEXT/X-YAML', 'yaml'],
    ['application/x-www-form-urlencoded', undefined],
    [undefined, undefined],
  ])('%s -> %s', (ct, format) => {
    expect(formatOf(ct)).toBe(format);
  });
});

describe('parseBody', () => {
  it('parses JSON and YAML by content type and sniffs otherwise', () => {
    expect(parseBody(Buffer.from('{"a":1}'), 'application/json')).toEqual({ a: 1 });
    expect(parseBody(Buffer.from('a: 1\nb: [x]\n'), 'application/yaml')).toEqual({ a: 1, b: ['x'] });
    expect(parseBody(Buffer.from('a: 1\n'), undefined)).toEqual({ a: 1 });
    expect(parseBody(Buffer.from(' {"a":1}'), 'application/x-www-form-urlencoded')).toEqual({ a: 1 });
  });

  it.each([
    ['{"a":', 'application/json', /is not valid JSON: /],
    ['a: [1', 'application/yaml', /is not valid YAML at line \d+, column \d+: [a-z]/],
    ['a: 1\na: 2\n', 'text/yaml', /is not valid YAML at line \d+, column \d+: [a-z]/],
    ['   ', 'application/json', /cannot be empty/],
  ])('refuses %j (%s) with a clear cause', (text, ct, cause) => {
    try {
      parseBody(Buffer.from(text), ct);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BadRequestError);
      expect((err as BadRequestError).causes[0]?.message).toMatch(cause);
      expect((err as BadRequestError).causes[0]?.message).not.toContain('\n');
    }
  });

  it('refuses a body nested deeper than MAX_BODY_DEPTH (JSON and YAML), accepts one at the limit', () => {
    const nested = (depth: number): string => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
    expect(() => parseBody(Buffer.from(nested(MAX_BODY_DEPTH)), 'application/json')).not.toThrow();
    for (const ct of ['application/json', 'application/yaml']) {
      try {
        parseBody(Buffer.from(nested(MAX_BODY_DEPTH + 1)), ct);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(BadRequestError);
        expect((err as BadRequestError).causes).toEqual([{ field: 'body', message: `nests deeper than ${MAX_BODY_DEPTH} levels` }]);
      }
    }
  });

  it('refuses invalid UTF-8', () => {
    expect(() => parseBody(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'application/json')).toThrow(BadRequestError);
  });
});
