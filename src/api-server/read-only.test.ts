import { describe, expect, it } from 'vitest';
import { ReadOnlyError } from '../core/errors.js';
import type { Resource } from '../core/resources/model.js';
import { typeDescriptor } from '../core/resources/registry.js';
import { GLOBAL_READ_ONLY_MESSAGE, REMOTE_READ_ONLY_MESSAGE, assertResourceWritable, assertTypeWritable } from './read-only.js';

function refusal(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ReadOnlyError);
    return (err as Error).message;
  }
}

describe('assertTypeWritable', () => {
  it('lets a remote write only Dataplanes and ZoneIngresses (its own proxies, sent up to the global)', () => {
    expect(refusal(() => assertTypeWritable('remote', typeDescriptor('Dataplane')))).toBeUndefined();
    expect(refusal(() => assertTypeWritable('remote', typeDescriptor('ZoneIngress')))).toBeUndefined();
    for (const t of ['Mesh', 'TrafficRoute', 'Secret', 'Zone'] as const) {
      expect(refusal(() => assertTypeWritable('remote', typeDescriptor(t)))).toBe(REMOTE_READ_ONLY_MESSAGE);
    }
    expect(REMOTE_READ_ONLY_MESSAGE).toContain("'kumactl apply -f'");
  });

  it('lets a global write everything but Dataplanes', () => {
    expect(refusal(() => assertTypeWritable('global', typeDescriptor('Dataplane')))).toBe(GLOBAL_READ_ONLY_MESSAGE);
    expect(refusal(() => assertTypeWritable('global', typeDescriptor('TrafficPermission')))).toBeUndefined();
  });

  it('never lets the API write control-plane-owned types', () => {
    expect(refusal(() => assertTypeWritable('standalone', typeDescriptor('DataplaneInsight')))).toMatch(/read-only/);
    expect(refusal(() => assertTypeWritable('standalone', typeDescriptor('VirtualIP')))).toMatch(/read-only/);
    expect(refusal(() => assertTypeWritable('standalone', typeDescriptor('Mesh')))).toBeUndefined();
  });
});

describe('assertResourceWritable', () => {
  const base: Resource = { type: 'ZoneIngress', meta: { name: 'zone-1.ingress', mesh: '', version: 1, creationTime: 't', modificationTime: 't' }, spec: {} };

  it('refuses a resource synced by KDS and allows a local or missing one', () => {
    expect(refusal(() => assertResourceWritable({ ...base, meta: { ...base.meta, labels: { 'kuma.io/origin': 'zone' } } }))).toMatch(
      /ZoneIngress zone-1.ingress is synced from the zone control plane/,
    );
    expect(refusal(() => assertResourceWritable(base))).toBeUndefined();
    expect(refusal(() => assertResourceWritable(undefined))).toBeUndefined();
  });
});
