import { describe, expect, it } from 'vitest';
import { selectorRegex, serializeTags, sourcesRegex } from './kuma-tags.js';

/** Envoy's safe_regex_match is a full match; the patterns use only syntax RE2 and JS read alike. */
const matches = (regex: string, header: string): boolean => new RegExp(`^(?:${regex})$`).test(header);

describe('x-kuma-tags', () => {
  it('serializes every tag of every tag set, keys and values sorted, Kuma format', () => {
    expect(
      serializeTags([
        { 'kuma.io/service': 'web', version: 'v2', 'kuma.io/protocol': 'http' },
        { 'kuma.io/service': 'web-admin', version: 'v1' },
      ]),
    ).toBe('&kuma.io/protocol=http&&kuma.io/service=web,web-admin&&version=v1,v2&');
    expect(serializeTags([])).toBe('');
  });

  it('matches a selector against the header of a proxy that has its tags, and only then', () => {
    const web = serializeTags([{ 'kuma.io/service': 'web', 'kuma.io/protocol': 'http', version: 'v1' }]);
    expect(matches(selectorRegex({ 'kuma.io/service': 'web' }), web)).toBe(true);
    expect(matches(selectorRegex({ 'kuma.io/service': 'web', version: 'v1' }), web)).toBe(true);
    expect(matches(selectorRegex({ 'kuma.io/service': '*', version: '*' }), web)).toBe(true);
    expect(matches(selectorRegex({ 'kuma.io/service': 'web', version: 'v2' }), web)).toBe(false);
    expect(matches(selectorRegex({ 'kuma.io/service': 'web', region: '*' }), web)).toBe(false);
    // whole values only (Kuma 1.x's [^&]*web would take frontweb and web2 too)
    expect(matches(selectorRegex({ 'kuma.io/service': 'web' }), serializeTags([{ 'kuma.io/service': 'frontweb' }]))).toBe(false);
    expect(matches(selectorRegex({ 'kuma.io/service': 'web' }), serializeTags([{ 'kuma.io/service': 'web2' }]))).toBe(false);
    // a dot is a dot
    expect(matches(selectorRegex({ version: '1.0' }), serializeTags([{ version: '1x0' }]))).toBe(false);
    // one of several values of a multi-inbound proxy
    const multi = serializeTags([{ 'kuma.io/service': 'a' }, { 'kuma.io/service': 'web' }, { 'kuma.io/service': 'z' }]);
    expect(matches(selectorRegex({ 'kuma.io/service': 'web' }), multi)).toBe(true);
  });

  it('matches any of several sources; a request without the header matches none, not even *', () => {
    const re = sourcesRegex([{ match: { 'kuma.io/service': 'web', version: 'v1' } }, { match: { 'kuma.io/service': 'jobs' } }]);
    expect(matches(re, serializeTags([{ 'kuma.io/service': 'jobs' }]))).toBe(true);
    expect(matches(re, serializeTags([{ 'kuma.io/service': 'web', version: 'v1' }]))).toBe(true);
    expect(matches(re, serializeTags([{ 'kuma.io/service': 'web', version: 'v2' }]))).toBe(false);
    expect(matches(sourcesRegex([{ match: { 'kuma.io/service': '*' } }]), '')).toBe(false);
  });
});
