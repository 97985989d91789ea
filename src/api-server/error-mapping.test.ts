import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  MeshNotFoundError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  ReadOnlyError,
  ValidationError,
} from '../core/errors.js';
import { MethodNotAllowedError, RouteNotFoundError, toErrorReply } from './error-mapping.js';

const T = 'Could not retrieve a resource';

describe('toErrorReply', () => {
  it('maps validation errors to 400 with every cause', () => {
    const causes = [
      { field: 'name', message: 'cannot be empty' },
      { field: 'networking.address', message: 'cannot be empty' },
    ];
    expect(toErrorReply(new ValidationError(causes), T)).toEqual({
      status: 400,
      json: { title: 'Could not process a resource', details: 'Resource is not valid', causes },
    });
  });

  it('maps a missing mesh to 400 Mesh is not found, naming the mesh, under the title of what was tried', () => {
    expect(toErrorReply(new MeshNotFoundError('nope'), 'Could not process a resource')).toEqual({
      status: 400,
      json: { title: 'Could not process a resource', details: 'Mesh is not found', causes: [{ field: 'mesh', message: 'mesh of name nope is not found' }] },
    });
    expect(toErrorReply(new MeshNotFoundError('nope'), 'Could not issue a token').json.title).toBe('Could not issue a token');
  });

  it('maps not-found, conflicts and bad requests', () => {
    expect(toErrorReply(new NotFoundError('Mesh', 'x', ''), T)).toEqual({ status: 404, json: { title: T, details: 'Not found' } });
    expect(toErrorReply(new RouteNotFoundError('/foo'), T)).toMatchObject({ status: 404 });
    expect(toErrorReply(new AlreadyExistsError('Mesh', 'x', ''), T)).toMatchObject({ status: 409 });
    expect(toErrorReply(new ConflictError('Mesh', 'x', '', 2), T)).toMatchObject({ status: 409 });
    expect(toErrorReply(new BadRequestError('Invalid page size', [{ field: 'size', message: 'too big' }]), T)).toEqual({
      status: 400,
      json: { title: 'Invalid page size', details: 'too big', causes: [{ field: 'size', message: 'too big' }] },
    });
    expect(toErrorReply(new PreconditionFailedError('has dataplanes'), T)).toEqual({ status: 400, json: { title: T, details: 'has dataplanes' } });
  });

  it('maps a too large body to 413 closing the connection', () => {
    expect(toErrorReply(new PayloadTooLargeError(10), T)).toMatchObject({ status: 413, headers: { connection: 'close' } });
  });

  it('answers read-only and wrong methods with a JSON 405 naming kumactl', () => {
    expect(toErrorReply(new ReadOnlyError('nope'), T)).toEqual({ status: 405, json: { title: 'Method not allowed', details: 'nope' } });
    expect(toErrorReply(new MethodNotAllowedError(['GET', 'PUT']), T)).toEqual({
      status: 405,
      json: { title: 'Method not allowed', details: 'this path answers GET, PUT; resources are written with PUT (kumactl apply -f FILE)' },
      headers: { allow: 'GET, PUT' },
    });
  });

  it('hides anything else behind a 500 flagged as internal', () => {
    expect(toErrorReply(new TypeError('boom'), T)).toEqual({ status: 500, json: { title: T, details: 'Internal Server Error' }, internal: true });
  });
});
