import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import type { Resource } from './model.js';
import { typeDescriptor } from './registry.js';
import { expectedVersion, fromApiJson, toApiJson, urlMismatchViolations } from './resource-json.js';

const meta = { version: 3, creationTime: '2026-01-01T00:00:00Z', modificationTime: '2026-01-02T00:00:00Z' };

describe('toApiJson', () => {
  it('flattens meta then spec for a mesh-scoped type', () => {
    const r: Resource = { type: 'Dataplane', meta: { ...meta, name: 'dp-1', mesh: 'default' }, spec: { networking: { address: '1.1.1.1' } } };
    const json = toApiJson(r, 'mesh');
    expect(json).toStrictEqual({
      type: 'Dataplane',
      mesh: 'default',
      name: 'dp-1',
      creationTime: meta.creationTime,
      modificationTime: meta.modificationTime,
      networking: { address: '1.1.1.1' },
    });
    expect(Object.keys(json)).toEqual(['type', 'mesh', 'name', 'creationTime', 'modificationTime', 'networking']);
  });

  it('omits mesh for global-scoped types and never lets spec override meta', () => {
    const r: Resource = { type: 'Zone', meta: { ...meta, name: 'zone-1', mesh: '' }, spec: { enabled: true, name: 'evil', toString: 'x' } };
    expect(toApiJson(r, 'global')).toEqual({ type: 'Zone', name: 'zone-1', creationTime: meta.creationTime, modificationTime: meta.modificationTime, enabled: true, toString: 'x' });
  });
});

describe('toApiJson labels', () => {
  it('shows where a synced resource came from, and nothing when there are no labels', () => {
    const labels = { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' };
    const synced: Resource = { type: 'Dataplane', meta: { ...meta, name: 'zone-1.dp-1', mesh: 'default', labels }, spec: {} };
    expect(toApiJson(synced, 'mesh')['labels']).toEqual(labels);
    const local: Resource = { type: 'Dataplane', meta: { ...meta, name: 'dp-1', mesh: 'default', labels: {} }, spec: {} };
    expect(toApiJson(local, 'mesh')).not.toHaveProperty('labels');
  });

  it('treats labels in a body as meta, never as spec', () => {
    expect(fromApiJson({ type: 'Mesh', name: 'm', labels: { 'kuma.io/origin': 'global' } }).spec).toEqual({});
  });
});

describe('fromApiJson', () => {
  it('splits meta from spec and drops times and __proto__', () => {
    const body = JSON.parse('{"type":"Mesh","name":"m","creationTime":"x","modificationTime":"y","version":2,"mtls":{},"__proto__":{"polluted":true}}') as unknown;
    const parsed = fromApiJson(body);
    expect(parsed).toEqual({ type: 'Mesh', name: 'm', mesh: undefined, version: 2, spec: { mtls: {} } });
    expect(Object.getPrototypeOf(parsed.spec)).toBe(Object.prototype);
  });

  it.each([null, [], 'text', 42])('refuses a non-object body %j', (body) => {
    expect(() => fromApiJson(body)).toThrow(BadRequestError);
  });

  it.each([0, -1, 'abc', 1.5])('refuses version %j', (version) => {
    expect(() => fromApiJson({ version })).toThrow('Invalid version');
  });
});

describe('urlMismatchViolations', () => {
  it('names each field that differs from the URL with Kuma messages', () => {
    const body = fromApiJson({ type: 'Mesh', name: 'other', mesh: 'm2' });
    expect(urlMismatchViolations(typeDescriptor('Dataplane'), { name: 'dp', mesh: 'm1' }, body)).toEqual([
      { field: 'name', message: 'name from the URL has to be the same as in body' },
      { field: 'mesh', message: 'mesh from the URL has to be the same as in body' },
      { field: 'type', message: 'type from the URL has to be the same as in body' },
    ]);
  });

  it('ignores mesh for global-scoped types', () => {
    expect(urlMismatchViolations(typeDescriptor('Mesh'), { name: 'm', mesh: '' }, fromApiJson({ type: 'Mesh', name: 'm' }))).toEqual([]);
  });
});

describe('expectedVersion', () => {
  it('reads If-Match in ETag and bare forms, or the body version', () => {
    expect(expectedVersion('"4"', undefined)).toBe(4);
    expect(expectedVersion('W/"4"', undefined)).toBe(4);
    expect(expectedVersion('4', 4)).toBe(4);
    expect(expectedVersion(undefined, 7)).toBe(7);
    expect(expectedVersion('*', undefined)).toBeUndefined();
    expect(expectedVersion(undefined, undefined)).toBeUndefined();
  });

  it('refuses a malformed header and a header that contradicts the body', () => {
    expect(() => expectedVersion('"abc"', undefined)).toThrow('Invalid version');
    expect(() => expectedVersion('"3"', 4)).toThrow('Conflicting versions');
  });
});
