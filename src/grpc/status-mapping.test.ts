import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  AlreadyConnectedError,
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  MeshNotFoundError,
  NotFoundError,
  NotImplementedError,
  PreconditionFailedError,
  ShuttingDownError,
  SupersededError,
  UnauthenticatedError,
  ValidationError,
} from '../core/errors.js';
import { toGrpcStatus } from './status-mapping.js';

describe('toGrpcStatus', () => {
  it('maps domain errors to gRPC codes with their message', () => {
    expect(toGrpcStatus(new NotFoundError('Dataplane', 'dp', 'm'))).toEqual({ code: status.NOT_FOUND, details: 'Dataplane "dp" not found in mesh "m"' });
    expect(toGrpcStatus(new MeshNotFoundError('m')).code).toBe(status.NOT_FOUND);
    expect(toGrpcStatus(new ValidationError([{ field: 'networking', message: 'bad' }])).code).toBe(status.INVALID_ARGUMENT);
    expect(toGrpcStatus(new BadRequestError('no node')).code).toBe(status.INVALID_ARGUMENT);
    expect(toGrpcStatus(new AlreadyExistsError('Mesh', 'm', '')).code).toBe(status.ALREADY_EXISTS);
    expect(toGrpcStatus(new ConflictError('Mesh', 'm', '', 1)).code).toBe(status.ABORTED);
    expect(toGrpcStatus(new PreconditionFailedError('no')).code).toBe(status.FAILED_PRECONDITION);
    expect(toGrpcStatus(new NotImplementedError('delta MADS is not served'))).toEqual({ code: status.UNIMPLEMENTED, details: 'delta MADS is not served' });
  });

  it('maps the KDS refusals and stream ends (KDS and ADS use this mapping only)', () => {
    expect(toGrpcStatus(new UnauthenticatedError('no zone token')).code).toBe(status.UNAUTHENTICATED);
    expect(toGrpcStatus(new AlreadyConnectedError('zone z is already connected'))).toEqual({ code: status.ALREADY_EXISTS, details: 'zone z is already connected' });
    expect(toGrpcStatus(new SupersededError('replaced')).code).toBe(status.ABORTED);
    expect(toGrpcStatus(new ShuttingDownError()).code).toBe(status.UNAVAILABLE);
  });

  it('maps anything else to INTERNAL', () => {
    expect(toGrpcStatus(new Error('boom'))).toEqual({ code: status.INTERNAL, details: 'boom' });
    expect(toGrpcStatus('text')).toEqual({ code: status.INTERNAL, details: 'text' });
  });
});
