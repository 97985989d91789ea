import { describe, expect, it } from 'vitest';
import { lookupKeys, normaliseDomain, relativeName, serviceKey } from './name-rules.js';

describe('name rules', () => {
  it('normalises the domain', () => {
    expect(normaliseDomain(' .Mesh. ')).toBe('mesh');
  });

  it('splits names into the part relative to the domain', () => {
    expect(relativeName('backend.mesh', 'mesh')).toBe('backend');
    expect(relativeName('a.b.c.mesh', 'mesh')).toBe('a.b.c');
    expect(relativeName('mesh', 'mesh')).toBe('');
  });

  it('treats other names, and names merely ending in the domain text, as outside', () => {
    expect(relativeName('example.com', 'mesh')).toBeUndefined();
    expect(relativeName('backendmesh', 'mesh')).toBeUndefined();
    expect(relativeName('.mesh', 'mesh')).toBeUndefined();
    expect(relativeName('mesh.example', 'mesh')).toBeUndefined();
    expect(relativeName('', 'mesh')).toBeUndefined();
  });

  it('tries a dotted name as-is, then with dots rewritten to underscores (Kuma)', () => {
    expect(lookupKeys('backend.kuma-demo.svc.8080')).toEqual(['backend.kuma-demo.svc.8080', 'backend_kuma-demo_svc_8080']);
    expect(lookupKeys('backend')).toEqual(['backend']);
  });

  it('keys services case-insensitively', () => {
    expect(serviceKey('Backend_Kuma-Demo')).toBe('backend_kuma-demo');
  });
});
