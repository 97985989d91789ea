import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../core/errors.js';
import { Router } from './router.js';

function router(): Router<string> {
  return new Router<string>()
    .add('GET', '/', 'index')
    .add('GET', '/zones+insights/:name', 'zone-overview')
    .add('GET', '/meshes/:mesh/:path/:name', 'mesh-get', { path: (p) => p === 'dataplanes' })
    .add('PUT', '/meshes/:mesh/:path/:name', 'mesh-put', { path: (p) => p === 'dataplanes' })
    .add('GET', '/:path/:name', 'global-get', { path: (p) => p === 'meshes' || p === 'zones' });
}

describe('Router', () => {
  it('matches literal and parameterised routes with decoded params', () => {
    expect(router().match('GET', '/')).toEqual({ kind: 'found', handler: 'index', params: {} });
    expect(router().match('GET', '/meshes/default/dataplanes/dp%2D1')).toEqual({
      kind: 'found',
      handler: 'mesh-get',
      params: { mesh: 'default', path: 'dataplanes', name: 'dp-1' },
    });
    expect(router().match('put', '/meshes/m/dataplanes/x/')).toMatchObject({ kind: 'found', handler: 'mesh-put' });
  });

  it('prefers routes added first and honours parameter tests', () => {
    expect(router().match('GET', '/zones+insights/z1')).toMatchObject({ handler: 'zone-overview', params: { name: 'z1' } });
    expect(router().match('GET', '/zones/z1')).toMatchObject({ handler: 'global-get', params: { path: 'zones', name: 'z1' } });
    expect(router().match('GET', '/unknown-things/x')).toEqual({ kind: 'not-found' });
    expect(router().match('GET', '/meshes/default/unknown-things/x')).toEqual({ kind: 'not-found' });
  });

  it('reports method-not-allowed with the allowed methods when only the method differs', () => {
    expect(router().match('POST', '/meshes/default/dataplanes/x')).toEqual({ kind: 'method-not-allowed', allowed: ['GET', 'PUT'] });
    expect(router().match('DELETE', '/')).toEqual({ kind: 'method-not-allowed', allowed: ['GET'] });
  });

  it('does not match empty segments and refuses malformed escapes', () => {
    expect(router().match('GET', '/meshes//dataplanes/x')).toEqual({ kind: 'not-found' });
    expect(() => router().match('GET', '/meshes/%ZZ/dataplanes/x')).toThrow(BadRequestError);
  });
});
