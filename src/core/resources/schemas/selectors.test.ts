import { describe, expect, it } from 'vitest';
import { FieldPath } from './path.js';
import { ONLY_SERVICE_SELECTORS, SERVICE_SELECTORS, validateSelectors } from './selectors.js';
import { validateTags } from './tags.js';
import { Violations } from './violations.js';

function check(selectors: { match: Record<string, string> }[], rules = SERVICE_SELECTORS) {
  const v = new Violations();
  validateSelectors(FieldPath.root('sources'), selectors, v, rules);
  return v.items;
}

describe('selectors', () => {
  it('accepts wildcard and exact matches', () => {
    expect(check([{ match: { 'kuma.io/service': '*' } }, { match: { 'kuma.io/service': 'web', version: 'v1.0', 'k8s.io/zone': 'a:b_c-d' } }])).toEqual([]);
  });

  it('requires at least one element', () => {
    expect(check([])).toEqual([{ field: 'sources', message: 'must have at least one element' }]);
  });

  it('requires tags and the service tag', () => {
    expect(check([{ match: {} }])).toEqual([
      { field: 'sources[0].match', message: 'must have at least one tag' },
      { field: 'sources[0].match', message: 'mandatory tag "kuma.io/service" is missing' },
    ]);
  });

  it('checks tag names and values', () => {
    expect(check([{ match: { 'kuma.io/service': 'a b', '': 'x', 'bad key': 'v', empty: '' } }])).toEqual([
      { field: 'sources[0].match', message: 'tag name must be non-empty' },
      { field: 'sources[0].match["bad key"]', message: 'tag name must consist of alphanumeric characters, dots, dashes, slashes and underscores' },
      { field: 'sources[0].match["empty"]', message: 'tag value must be non-empty' },
      { field: 'sources[0].match["kuma.io/service"]', message: 'tag value must consist of alphanumeric characters, dots, dashes and underscores or be "*"' },
    ]);
  });

  it('allows only kuma.io/service where Kuma does', () => {
    expect(check([{ match: { 'kuma.io/service': 'web', version: 'v1' } }], ONLY_SERVICE_SELECTORS)).toEqual([
      { field: 'sources[0].match', message: 'must consist of exactly one tag "kuma.io/service"' },
      { field: 'sources[0].match["version"]', message: 'tag "version" is not allowed' },
    ]);
  });

  it('does not accept * in plain tags', () => {
    const v = new Violations();
    validateTags(FieldPath.root('tags'), { 'kuma.io/service': '*' }, v);
    expect(v.items).toEqual([{ field: 'tags["kuma.io/service"]', message: 'tag value must consist of alphanumeric characters, dots, dashes and underscores' }]);
  });

  it('requires a protocol where asked', () => {
    const v = new Violations();
    validateTags(FieldPath.root('m'), { 'kuma.io/service': 'a' }, v, { protocols: ['http'] });
    validateTags(FieldPath.root('n'), { 'kuma.io/service': 'a', 'kuma.io/protocol': 'tcp' }, v, { protocols: ['http', 'grpc'] });
    expect(v.items).toEqual([
      { field: 'm', message: 'protocol must be specified' },
      { field: 'n["kuma.io/protocol"]', message: 'must be one of the [http, grpc]' },
    ]);
  });
});
