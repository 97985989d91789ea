/** The control plane's REST API, on the origin that served the GUI. */

export interface List<T> {
  readonly total: number;
  readonly items: readonly T[];
  readonly next: string | null;
}

export class ApiError extends Error {}

export async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const text = await res.text();
  if (!res.ok) {
    let details = text;
    try {
      const body = JSON.parse(text) as { title?: string; details?: string };
      details = [body.title, body.details].filter(Boolean).join(': ');
    } catch {
      // not JSON: show the text
    }
    throw new ApiError(`${path}: ${res.status} ${details}`);
  }
  return JSON.parse(text) as T;
}

/** Every item of a paginated list (follows `next`). */
export async function listAll<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | null = `${path}${path.includes('?') ? '&' : '?'}size=1000`;
  while (next) {
    const page: List<T> = await get<List<T>>(next);
    out.push(...page.items);
    next = page.next ? new URL(page.next).pathname + new URL(page.next).search : null;
  }
  return out;
}

export const enc = encodeURIComponent;
