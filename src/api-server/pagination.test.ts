import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../core/errors.js';
import { paginate, parsePage } from './pagination.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);
const self = (query = ''): { origin: string; pathname: string; query: URLSearchParams } => ({ origin: 'http://cp:5681', pathname: '/meshes/default/dataplanes', query: q(query) });

describe('parsePage', () => {
  it('defaults to size 100 from offset 0 and accepts the maximum of 1000', () => {
    expect(parsePage(q(''))).toEqual({ size: 100, offset: 0 });
    expect(parsePage(q('size=1000&offset=20'))).toEqual({ size: 1000, offset: 20 });
  });

  it.each(['size=1001', 'size=0', 'size=-1', 'size=abc', 'size=1.5'])('refuses %s as Invalid page size on field size', (s) => {
    const err = (() => {
      try {
        parsePage(q(s));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).message).toBe('Invalid page size');
    expect((err as BadRequestError).causes[0]?.field).toBe('size');
  });

  it.each(['offset=x', 'offset=-5', 'offset=1e3'])('refuses %s as Invalid offset', (s) => {
    expect(() => parsePage(q(s))).toThrow('Invalid offset');
  });
});

describe('paginate', () => {
  const items = Array.from({ length: 5 }, (_, i) => i);

  it('slices a page and links the next one with an absolute URL keeping other parameters', () => {
    expect(paginate(items, { size: 2, offset: 0 }, self('tag=a:b&size=2'))).toEqual({
      total: 5,
      items: [0, 1],
      next: 'http://cp:5681/meshes/default/dataplanes?offset=2&size=2&tag=a%3Ab',
    });
  });

  it('gives next null on the last page and an empty page past the end', () => {
    expect(paginate(items, { size: 2, offset: 4 }, self())).toEqual({ total: 5, items: [4], next: null });
    expect(paginate(items, { size: 2, offset: 3 }, self()).next).toBeNull();
    expect(paginate(items, { size: 2, offset: 9 }, self())).toEqual({ total: 5, items: [], next: null });
  });
});
