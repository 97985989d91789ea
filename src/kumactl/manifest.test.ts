import { describe, expect, it } from 'vitest';
import { parseManifest, parseVars, substituteVars } from './manifest.js';

describe('manifest', () => {
  it('reads several documents, skipping empty ones', () => {
    const rs = parseManifest('type: Mesh\nname: m1\n---\n---\ntype: Dataplane\nmesh: m1\nname: dp\nnetworking: {address: 1.1.1.1}\n', 'f.yaml');
    expect(rs.map((r) => [r.descriptor.name, r.mesh, r.name])).toEqual([
      ['Mesh', '', 'm1'],
      ['Dataplane', 'm1', 'dp'],
    ]);
  });

  it('substitutes --var values and names a missing one', () => {
    const vars = parseVars(['name=web-1', 'addr=10.0.0.1']);
    expect(substituteVars('name: {{ name }}\naddress: {{addr}}', vars, 'f')).toBe('name: web-1\naddress: 10.0.0.1');
    expect(() => substituteVars('port: {{ port }}', vars, 'f.yaml')).toThrow('f.yaml uses {{ port }} but no --var port=VALUE was given');
    expect(() => parseVars(['novalue'])).toThrow(/must be key=value/);
  });

  it('reports YAML errors in one sentence with the document and line', () => {
    let message = '';
    try {
      parseManifest('type: Mesh\nname: a\n---\ntype: Mesh\n  name: [b\n', 'f.yaml');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^f\.yaml \(document 2\) is not valid YAML at line \d+, column \d+: /);
    expect(message).not.toContain('\n');
  });

  it('refuses documents without type, name, or mesh for mesh-scoped types', () => {
    expect(() => parseManifest('name: x\n', 'f')).toThrow('f has no "type"');
    expect(() => parseManifest('type: Bogus\nname: x\n', 'f')).toThrow('f: unknown type "Bogus"');
    expect(() => parseManifest('type: TrafficRoute\nname: x\n', 'f')).toThrow('f: TrafficRoute "x" has no "mesh"');
    expect(() => parseManifest('', 'f')).toThrow('f holds no resource');
  });
});
