import { BadRequestError } from '../core/errors.js';

/** Path parameters by name, already percent-decoded. */
export type Params = Readonly<Record<string, string>>;

/** A parameter constraint: the route matches only if every constrained segment passes. */
export type SegmentTest = (segment: string) => boolean;

type Segment = { readonly literal: string } | { readonly param: string; readonly test: SegmentTest | undefined };

interface Route<H> {
  readonly method: string;
  readonly segments: readonly Segment[];
  readonly handler: H;
}

export type RouteMatch<H> =
  | { readonly kind: 'found'; readonly handler: H; readonly params: Params }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

/**
 * A small method + path router. Patterns are `/literal/:param`; routes are tried in the order they were
 * added, so literal routes registered first win over parameterised ones of the same length. A path that
 * matches some route but none for the method gives `method-not-allowed`.
 */
export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H, tests: Readonly<Record<string, SegmentTest>> = {}): this {
    const segments = splitPath(pattern).map((s): Segment => (s.startsWith(':') ? { param: s.slice(1), test: tests[s.slice(1)] } : { literal: s }));
    this.routes.push({ method: method.toUpperCase(), segments, handler });
    return this;
  }

  /** `pathname` is the raw (still percent-encoded) path; a malformed escape is a BadRequestError. */
  match(method: string, pathname: string): RouteMatch<H> {
    const parts = decodeSegments(pathname);
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { kind: 'found', handler: route.handler, params };
      allowed.add(route.method);
    }
    return allowed.size > 0 ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'not-found' };
  }
}

function splitPath(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function decodeSegments(pathname: string): string[] {
  return splitPath(pathname).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new BadRequestError('Invalid path', [{ field: 'path', message: `malformed percent-encoding in "${s}"` }]);
    }
  });
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i];
    if (seg === undefined || part === undefined) return undefined;
    if ('literal' in seg) {
      if (seg.literal !== part) return undefined;
    } else {
      if (part === '' || (seg.test && !seg.test(part))) return undefined;
      params[seg.param] = part;
    }
  }
  return params;
}
