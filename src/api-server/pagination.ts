import { BadRequestError } from '../core/errors.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface Page {
  readonly size: number;
  /** Index of the first item (Kuma's offset is a stringified index). */
  readonly offset: number;
}

export interface ListBody<T> {
  readonly total: number;
  readonly items: readonly T[];
  readonly next: string | null;
}

/** `size` (1..1000, default 100) and `offset` (index, default 0) from the query; bad values are BadRequestErrors. */
export function parsePage(query: URLSearchParams): Page {
  const sizeRaw = query.get('size');
  let size = DEFAULT_PAGE_SIZE;
  if (sizeRaw !== null && sizeRaw !== '') {
    if (!/^\d+$/.test(sizeRaw) || Number(sizeRaw) < 1) throw new BadRequestError('Invalid page size', [{ field: 'size', message: 'Invalid format: must be a positive integer' }]);
    size = Number(sizeRaw);
    if (size > MAX_PAGE_SIZE) {
      throw new BadRequestError('Invalid page size', [{ field: 'size', message: `Invalid page size of ${sizeRaw}. Maximum page size is ${MAX_PAGE_SIZE}` }]);
    }
  }
  const offsetRaw = query.get('offset');
  let offset = 0;
  if (offsetRaw !== null && offsetRaw !== '') {
    if (!/^\d{1,15}$/.test(offsetRaw)) throw new BadRequestError('Invalid offset', [{ field: 'offset', message: 'Invalid format: must be a non-negative integer' }]);
    offset = Number(offsetRaw);
  }
  return { size, offset };
}

/**
 * One page of an already filtered and sorted list. `next` is the absolute URL of the following page
 * (same path and query, `offset` and `size` replaced) or null on the last page.
 */
export function paginate<T>(all: readonly T[], page: Page, self: { origin: string; pathname: string; query: URLSearchParams }): ListBody<T> {
  const items = all.slice(page.offset, page.offset + page.size);
  const nextOffset = page.offset + page.size;
  let next: string | null = null;
  if (nextOffset < all.length) {
    const q = new URLSearchParams(self.query);
    q.set('offset', String(nextOffset));
    q.set('size', String(page.size));
    q.sort();
    next = `${self.origin}${self.pathname}?${q.toString()}`;
  }
  return { total: all.length, items, next };
}
