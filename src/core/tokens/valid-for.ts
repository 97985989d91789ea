import { ValidationError, type Violation } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Kuma's default when a data-plane or zone token request has no `validFor` (issue kumahq/kuma#4001). */
export const TEN_YEARS_MS = 10 * 365 * 24 * 3_600_000;

/** A Go duration (`24h`, `1h30m`, `90s`; no `d` unit) in milliseconds; ValidationError on field `validFor` otherwise. */
export function parseValidFor(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) throw new ValidationError([{ field: 'validFor', message: `"${text}" is not a duration like 24h, 1h30m or 600s` }], 'Invalid request');
  if (total < 1000) throw new ValidationError([{ field: 'validFor', message: 'must be at least 1s' }], 'Invalid request');
  return total;
}

/**
 * The shared part of every `POST /tokens/*` request: the body parsed by `schema`, the request-specific
 * checks (`check` lists violations), and `validFor` (default ten years); all violations in one ValidationError.
 */
export function parseTokenRequest<T extends { validFor: string }>(
  schema: { safeParse(body: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } } },
  body: unknown,
  check: (request: T) => Violation[],
): { request: T; validForMs: number } {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'body', message: i.message })), 'Invalid request');
  const request = parsed.data;
  const violations = check(request);
  let validForMs = TEN_YEARS_MS;
  try {
    if (request.validFor !== '') validForMs = parseValidFor(request.validFor);
  } catch (err) {
    if (err instanceof ValidationError) violations.push(...err.violations);
    else throw err;
  }
  if (violations.length > 0) throw new ValidationError(violations, 'Invalid request');
  return { request, validForMs };
}
