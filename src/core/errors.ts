/**
 * Typed domain errors. Each is mapped to an HTTP status in src/api-server/error-mapping.ts and to a
 * gRPC status in src/grpc/status-mapping.ts: nowhere else.
 */
export interface Violation {
  readonly field: string;
  readonly message: string;
}

abstract class KumaError extends Error {
  protected constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A resource (or something a request names) does not exist. */
export class NotFoundError extends KumaError {
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    readonly mesh: string,
  ) {
    super(mesh ? `${resourceType} "${resourceName}" not found in mesh "${mesh}"` : `${resourceType} "${resourceName}" not found`);
  }
}

/** Create of a resource that already exists. */
export class AlreadyExistsError extends KumaError {
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    readonly mesh: string,
  ) {
    super(mesh ? `${resourceType} "${resourceName}" already exists in mesh "${mesh}"` : `${resourceType} "${resourceName}" already exists`);
  }
}

/** Optimistic concurrency failure: the stored version is not the one the writer read. */
export class ConflictError extends KumaError {
  constructor(
    readonly resourceType: string,
    readonly resourceName: string,
    readonly mesh: string,
    readonly expectedVersion: number,
  ) {
    super(`${resourceType} "${resourceName}" was modified concurrently (expected version ${expectedVersion})`);
  }
}

/** A resource or request body that breaks the rules; carries every violation with its field path. */
export class ValidationError extends KumaError {
  constructor(
    readonly violations: readonly Violation[],
    readonly details = 'Resource is not valid',
  ) {
    super(`${details}: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
  }
}

/** A mesh-scoped write names a mesh that does not exist (Kuma answers 400 "Mesh is not found"). */
export class MeshNotFoundError extends KumaError {
  constructor(readonly mesh: string) {
    super(`mesh of name ${mesh} is not found`);
  }
}

/** A write the current mode (or a synced origin) does not allow; `message` is Kuma's text. */
export class ReadOnlyError extends KumaError {
  constructor(message: string) {
    super(message);
  }
}

/** A request that cannot be understood at all (malformed JSON/YAML, bad paging parameters...). */
export class BadRequestError extends KumaError {
  constructor(
    message: string,
    readonly causes: readonly Violation[] = [],
  ) {
    super(message);
  }
}

/** An operation this control plane does not serve, on purpose (delta MADS, as in Kuma). */
export class NotImplementedError extends KumaError {
  constructor(message: string) {
    super(message);
  }
}

/** A request body over the limit. */
export class PayloadTooLargeError extends KumaError {
  constructor(readonly limitBytes: number) {
    super(`request body is larger than ${limitBytes} bytes`);
  }
}

/** A refused operation that is not a validation problem (e.g. deleting a Mesh that still has Dataplanes). */
export class PreconditionFailedError extends KumaError {
  constructor(
    message: string,
    readonly causes: readonly Violation[] = [],
  ) {
    super(message);
  }
}

/** The store cannot take writes (its database file was deleted or replaced...); the CP is unready. */
export class StoreUnavailableError extends KumaError {
  constructor(readonly reason: string) {
    super(`the store is unavailable: ${reason}`);
  }
}

/** An invalid control-plane configuration: the process exits 1 printing `message`. */
export class ConfigError extends KumaError {
  constructor(message: string) {
    super(message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A credential is missing, malformed, expired, revoked or does not match (HTTP 401, gRPC UNAUTHENTICATED). */
export class UnauthenticatedError extends KumaError {
  constructor(message: string) {
    super(message);
  }
}

/** An authenticated (or anonymous) user may not do this (HTTP 403, gRPC PERMISSION_DENIED). */
export class AccessDeniedError extends KumaError {
  constructor(message: string) {
    super(message);
  }
}

/** A second stream for something that already has one (a zone connected twice without authentication). */
export class AlreadyConnectedError extends KumaError {
  constructor(message: string) {
    super(message);
  }
}

/** A stream ended because a newer one of the same peer replaced it (gRPC ABORTED: the old one must not retry). */
export class SupersededError extends KumaError {
  constructor(message: string) {
    super(message);
  }
}

/** This control plane is stopping (gRPC UNAVAILABLE: reconnect elsewhere or later). */
export class ShuttingDownError extends KumaError {
  constructor(message = 'control plane is shutting down') {
    super(message);
  }
}
