import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FieldPath } from './path.js';
import { issuesToViolations, kumaErrorMap, kumaPath } from './zod-issues.js';

const schema = z.object({
  networking: z.object({
    inbound: z.array(z.object({ port: z.number(), tags: z.record(z.string(), z.string()) })).optional(),
    gateway: z.object({ tags: z.record(z.string(), z.string()).default({}) }).optional(),
  }),
  labels: z.record(z.string(), z.object({ port: z.number() })).optional(),
});

describe('Kuma field paths', () => {
  it('builds paths with fields, indexes and quoted keys', () => {
    expect(FieldPath.root('networking').field('inbound').index(0).field('tags').key('kuma.io/service').toString()).toBe(
      'networking.inbound[0].tags["kuma.io/service"]',
    );
    expect(FieldPath.root().field('sources').toString()).toBe('sources');
    expect(FieldPath.root().key('a"b').toString()).toBe('["a\\"b"]');
  });

  it('walks the schema so that map keys are quoted even when they look like fields', () => {
    expect(kumaPath(schema, ['networking', 'inbound', 0, 'tags', 'version']).toString()).toBe('networking.inbound[0].tags["version"]');
    expect(kumaPath(schema, ['networking', 'gateway', 'tags', 'kuma.io/service']).toString()).toBe('networking.gateway.tags["kuma.io/service"]');
    expect(kumaPath(schema, ['labels', 'port', 'port']).toString()).toBe('labels["port"].port');
    expect(kumaPath(schema, ['port'], FieldPath.root('mtls').field('conf')).toString()).toBe('mtls.conf.port');
  });

  it('maps zod issues to violations with readable messages', () => {
    const r = schema.safeParse({ networking: { inbound: [{ port: 'x', tags: { a: 1 } }, {}] } }, { error: kumaErrorMap });
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(issuesToViolations(schema, r.error.issues)).toEqual([
      { field: 'networking.inbound[0].port', message: 'must be a number' },
      { field: 'networking.inbound[0].tags["a"]', message: 'must be a string' },
      { field: 'networking.inbound[1].port', message: 'has to be defined' },
      { field: 'networking.inbound[1].tags', message: 'has to be defined' },
    ]);
  });
});
