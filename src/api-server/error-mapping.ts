import {
  AccessDeniedError,
  AlreadyConnectedError,
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  MeshNotFoundError,
  NotFoundError,
  NotImplementedError,
  PayloadTooLargeError,
  PreconditionFailedError,
  ReadOnlyError,
  ShuttingDownError,
  StoreUnavailableError,
  SupersededError,
  UnauthenticatedError,
  ValidationError,
  type Violation,
} from '../core/errors.js';

/** A request whose path names no route (unknown resource type path, typo...). */
export class RouteNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`no API endpoint at ${path}`);
    this.name = 'RouteNotFoundError';
  }
}

/** A route that exists, called with a method it does not serve (e.g. POST). */
export class MethodNotAllowedError extends Error {
  constructor(readonly allowed: readonly string[]) {
    super('Method not allowed');
    this.name = 'MethodNotAllowedError';
  }
}

/** An inspect request for a proxy that has no stream to this instance. */
export class ProxyNotConnectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyNotConnectedError';
  }
}

/** Kuma's error JSON. `causes` is omitted when empty, as Kuma does. */
export interface ApiErrorBody {
  readonly title: string;
  readonly details: string;
  readonly causes?: readonly Violation[];
}

/** Every error answer is JSON in Kuma's shape. */
export interface ErrorReply {
  readonly status: number;
  readonly json: ApiErrorBody;
  readonly headers?: Readonly<Record<string, string>>;
  readonly internal?: true;
}

const PROCESS_TITLE = 'Could not process a resource';

/**
 * The one place where errors become HTTP answers. `title` names what the request tried ("Could not
 * retrieve a resource"...); validation failures always carry Kuma's "Could not process a resource".
 * Anything unknown is a 500 with `internal: true` so that the caller logs it with its stack.
 */
export function toErrorReply(err: unknown, title: string): ErrorReply {
  if (err instanceof ValidationError) return json(400, { title: PROCESS_TITLE, details: err.details, causes: err.violations });
  if (err instanceof MeshNotFoundError) return json(400, { title, details: 'Mesh is not found', causes: [{ field: 'mesh', message: err.message }] });
  if (err instanceof NotFoundError) return json(404, { title, details: 'Not found' });
  if (err instanceof ProxyNotConnectedError) return json(404, { title, details: err.message });
  if (err instanceof RouteNotFoundError) return json(404, { title: 'Not found', details: err.message });
  if (err instanceof AlreadyExistsError) return json(409, { title, details: err.message });
  if (err instanceof ConflictError || err instanceof AlreadyConnectedError || err instanceof SupersededError) return json(409, { title, details: err.message });
  if (err instanceof BadRequestError) return json(400, { title: err.message, details: err.causes[0]?.message ?? err.message, causes: err.causes });
  if (err instanceof PayloadTooLargeError) return { ...json(413, { title: 'Payload too large', details: err.message }), headers: { connection: 'close' } };
  if (err instanceof PreconditionFailedError) return json(400, { title, details: err.message, causes: err.causes });
  if (err instanceof ReadOnlyError) return json(405, { title: 'Method not allowed', details: err.message });
  if (err instanceof UnauthenticatedError) return { ...json(401, { title: 'Invalid authentication data', details: err.message }), headers: { 'www-authenticate': 'Bearer' } };
  if (err instanceof AccessDeniedError) return json(403, { title: 'Access Denied', details: err.message });
  if (err instanceof StoreUnavailableError || err instanceof ShuttingDownError) return json(503, { title, details: err.message });
  if (err instanceof NotImplementedError) return json(501, { title, details: err.message });
  if (err instanceof MethodNotAllowedError) {
    const details = `this path answers ${err.allowed.join(', ')}; resources are written with PUT (kumactl apply -f FILE)`;
    return { ...json(405, { title: 'Method not allowed', details }), headers: { allow: err.allowed.join(', ') } };
  }
  return { status: 500, json: { title, details: 'Internal Server Error' }, internal: true };
}

function json(status: number, body: ApiErrorBody): ErrorReply {
  const { causes, ...rest } = body;
  return { status, json: causes && causes.length > 0 ? { ...rest, causes } : rest };
}
