import type { ApiAuth } from './config-file.js';
import { EXIT, KumactlError } from './kumactl-error.js';

interface ApiErrorBody {
  title?: string;
  details?: string;
  causes?: { field?: string; message?: string }[];
}

/** The API's error answer in one line: title, details, and every cause as `field: message`. */
export function describeApiError(status: number, body: string): string {
  let parsed: ApiErrorBody | undefined;
  try {
    const json = JSON.parse(body) as unknown;
    if (typeof json === 'object' && json !== null) parsed = json;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.title === undefined && parsed.details === undefined)) {
    const text = body.trim().replace(/\s*\n\s*/g, ' ');
    return text ? `${text} (HTTP ${status})` : `HTTP ${status}`;
  }
  const head = [parsed.title, parsed.details].filter((s) => s && s.length > 0).join(': ');
  const causes = (parsed.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? ''))).filter((s) => s !== '');
  return causes.length > 0 ? `${head} (${causes.join('; ')})` : head;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: string;
}

/** A thin client of the kuma-cp REST API: every failure becomes a one-line KumactlError. */
export class ApiClient {
  private readonly authHeaders: Record<string, string>;

  constructor(
    readonly baseUrl: string,
    auth?: ApiAuth,
  ) {
    const token = auth?.authType === 'tokens' ? auth.authConf['token'] : undefined;
    this.authHeaders = token ? { authorization: `Bearer ${token}` } : {};
  }

  async request(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const url = new URL(path.replace(/^\/+/, ''), this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`).toString();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...this.authHeaders, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new KumactlError(`cannot reach the control plane at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, EXIT.unreachable);
    }
    const text = await res.text();
    if (res.status >= 400) throw new KumactlError(describeApiError(res.status, text), EXIT.refused, res.status);
    return { status: res.status, body: text };
  }

  async getJson<T>(path: string): Promise<T> {
    const { body } = await this.request('GET', path);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new KumactlError(`${this.baseUrl} did not answer ${path} with JSON: is it a kuma-cp API server?`, EXIT.unreachable);
    }
  }

  /** Follows `next` links until the last page. */
  async listAll<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = `${path}${path.includes('?') ? '&' : '?'}size=1000`;
    while (next) {
      const page: { items?: T[]; next?: string | null } = await this.getJson(next);
      items.push(...(page.items ?? []));
      next = page.next ?? null;
      if (next) {
        const u = new URL(next);
        next = `${u.pathname.replace(/^\//, '')}${u.search}`;
      }
    }
    return items;
  }
}
