import { describe, expect, it } from 'vitest';
import { kindOf, resourcePath } from './resource-kinds.js';

describe('kindOf', () => {
  it('knows singular, plural and Kuma spellings', () => {
    expect(kindOf('dataplane')).toMatchObject({ descriptor: { name: 'Dataplane' }, plural: false });
    expect(kindOf('traffic-routes')).toMatchObject({ descriptor: { name: 'TrafficRoute' }, plural: true });
    expect(kindOf('proxytemplate').descriptor.name).toBe('ProxyTemplate');
    expect(kindOf('zone-ingresses').descriptor.name).toBe('ZoneIngress');
    expect(kindOf('meshes')).toMatchObject({ descriptor: { name: 'Mesh' }, plural: true });
  });

  it('refuses an unknown word naming the known ones', () => {
    expect(() => kindOf('trafic-route')).toThrow(/unknown resource type "trafic-route"; one of: meshes, dataplanes/);
  });

  it('builds API paths by scope, escaping names', () => {
    expect(resourcePath(kindOf('dataplane').descriptor, 'default', 'a b')).toBe('meshes/default/dataplanes/a%20b');
    expect(resourcePath(kindOf('meshes').descriptor, 'ignored')).toBe('meshes');
  });
});
