import { status, type StatusObject } from '@grpc/grpc-js';
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
} from '../core/errors.js';

export type GrpcError = Pick<StatusObject, 'code' | 'details'>;

/**
 * The one place domain errors become gRPC statuses (ADS, KDS refusals and stream ends, MADS). Unknown errors are
 * INTERNAL with their message.
 */
export function toGrpcStatus(err: unknown): GrpcError {
  const details = err instanceof Error ? err.message : String(err);
  return { code: codeOf(err), details };
}

function codeOf(err: unknown): status {
  if (err instanceof NotFoundError || err instanceof MeshNotFoundError) return status.NOT_FOUND;
  if (err instanceof ValidationError || err instanceof BadRequestError) return status.INVALID_ARGUMENT;
  if (err instanceof AlreadyExistsError || err instanceof AlreadyConnectedError) return status.ALREADY_EXISTS;
  if (err instanceof ConflictError || err instanceof SupersededError) return status.ABORTED;
  if (err instanceof PreconditionFailedError || err instanceof ReadOnlyError) return status.FAILED_PRECONDITION;
  if (err instanceof PayloadTooLargeError) return status.RESOURCE_EXHAUSTED;
  if (err instanceof UnauthenticatedError) return status.UNAUTHENTICATED;
  if (err instanceof AccessDeniedError) return status.PERMISSION_DENIED;
  if (err instanceof StoreUnavailableError || err instanceof ShuttingDownError) return status.UNAVAILABLE;
  if (err instanceof NotImplementedError) return status.UNIMPLEMENTED;
  return status.INTERNAL;
}
