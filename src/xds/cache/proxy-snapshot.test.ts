import { describe, expect, it } from 'vitest';
import { TYPE_URLS, type EncodedResource } from '../resource.js';
import { ProxySnapshot } from './proxy-snapshot.js';
import { ResourceGroup } from './resource-group.js';

const CDS = TYPE_URLS.cluster;
const EDS = TYPE_URLS.clusterLoadAssignment;

const res = (name: string, version: string, typeUrl: typeof CDS | typeof EDS = CDS): EncodedResource => ({ typeUrl, name, version, bytes: new Uint8Array() });

function changed(now: ProxySnapshot, before: ProxySnapshot, typeUrl: string = CDS): string[] {
  const out: string[] = [];
  now.changedSince(before, typeUrl).forEach((n) => out.push(n));
  return out.sort();
}

/** What changedSince must cover: every name whose resource differs, compared one by one. */
function byName(now: ProxySnapshot, before: ProxySnapshot, typeUrl: string = CDS): string[] {
  const names = new Set([...now.names(typeUrl), ...before.names(typeUrl)]);
  return [...names].filter((n) => now.get(typeUrl, n)?.version !== before.get(typeUrl, n)?.version).sort();
}

describe('ProxySnapshot.changedSince', () => {
  const shared1 = new ResourceGroup([res('a', '1'), res('b', '1'), res('c', '1'), res('a', '1', EDS)]);
  const shared2 = new ResourceGroup([res('a', '2'), res('b', '1'), res('d', '1'), res('a', '1', EDS)]);

  it('names changed, added and removed resources, group by group', () => {
    const own1 = new ResourceGroup([res('local', '1')]);
    const own2 = new ResourceGroup([res('local', '2')]);
    const before = ProxySnapshot.of([shared1, own1]);
    const now = ProxySnapshot.of([shared2, own2]);
    expect(changed(now, before)).toEqual(['a', 'c', 'd', 'local']);
    expect(changed(now, before)).toEqual(byName(now, before));
    expect(changed(now, before, EDS)).toEqual([]);
    expect(changed(now, now)).toEqual([]);
    expect(changed(now, ProxySnapshot.of([shared2, own2]))).toEqual([]);
  });

  it('shares one diff per pair of groups between every proxy that holds them', () => {
    const p1 = [ProxySnapshot.of([shared1, new ResourceGroup([res('x', '1')])]), ProxySnapshot.of([shared2, new ResourceGroup([res('x', '1')])])] as const;
    const p2 = [ProxySnapshot.of([shared1, new ResourceGroup([res('y', '1')])]), ProxySnapshot.of([shared2, new ResourceGroup([res('y', '1')])])] as const;
    expect(shared2.changedSince(shared1, CDS)).toBe(shared2.changedSince(shared1, CDS));
    expect(changed(p1[1], p1[0])).toEqual(['a', 'c', 'd']);
    expect(changed(p2[1], p2[0])).toEqual(['a', 'c', 'd']);
  });

  it('a resource that moves between groups is covered; each name is reported once', () => {
    const before = ProxySnapshot.of([new ResourceGroup([res('a', '1'), res('m', '1')]), new ResourceGroup([res('o', '1')])]);
    const now = ProxySnapshot.of([new ResourceGroup([res('a', '1')]), new ResourceGroup([res('o', '2'), res('m', '3')])]);
    expect(changed(now, before)).toEqual(['m', 'o']);
    const names: string[] = [];
    now.changedSince(before, CDS).forEach((n) => names.push(n));
    expect(names.length).toBe(new Set(names).size);
  });

  it('changedResources lists what a client holding the earlier snapshot lacks, group by group', () => {
    const own1 = new ResourceGroup([res('local', '1')]);
    const before = ProxySnapshot.of([shared1, own1]);
    const now = ProxySnapshot.of([shared2, own1]);
    expect(now.changedResources(before, CDS)?.map((r) => `${r.name}@${r.version}`)).toEqual(['a@2', 'd@1']);
    expect(shared2.changedResources(shared1, CDS)).toBe(shared2.changedResources(shared1, CDS));
    expect(now.changedResources(now, CDS)).toEqual([]);
    expect(now.changedResources(ProxySnapshot.of([shared1]), CDS)).toBeUndefined();
  });

  it('snapshots of different shapes are compared name by name', () => {
    const before = ProxySnapshot.from([res('a', '1'), res('b', '1')]);
    const now = ProxySnapshot.of([new ResourceGroup([res('a', '1')]), new ResourceGroup([res('b', '2'), res('c', '1')])]);
    expect(changed(now, before)).toEqual(['b', 'c']);
    expect(changed(before, now)).toEqual(['b', 'c']);
  });
});

describe('ProxySnapshot.coveredBy', () => {
  const shared = new ResourceGroup([res('a', '1', EDS), res('b', '1', EDS), res('a', '1')]);

  it('is true exactly when the names are the type names of the snapshot, with one or several holders', () => {
    const one = ProxySnapshot.of([shared, new ResourceGroup([res('local', '1')])]);
    expect(one.coveredBy(new Set(['a', 'b']), EDS)).toBe(true);
    expect(one.coveredBy(new Set(['b', 'a']), EDS)).toBe(true);
    expect(one.coveredBy(new Set(['a']), EDS)).toBe(false);
    expect(one.coveredBy(new Set(['a', 'c']), EDS)).toBe(false);
    expect(one.coveredBy(new Set(['a', 'b', 'c']), EDS)).toBe(false);
    const two = ProxySnapshot.of([shared, new ResourceGroup([res('c', '1', EDS)])]);
    expect(two.coveredBy(new Set(['a', 'b', 'c']), EDS)).toBe(true);
    expect(two.coveredBy(new Set(['a', 'b', 'd']), EDS)).toBe(false);
  });

  it('answers from the shared group once per name set', () => {
    const names = new Set(['a', 'b']);
    expect(shared.coveredBy(names, EDS)).toBe(true);
    const other = new Set(['a', 'x']);
    expect(shared.coveredBy(other, EDS)).toBe(false);
    expect(ProxySnapshot.of([shared]).coveredBy(other, EDS)).toBe(false);
    expect(ProxySnapshot.of([shared]).coveredBy(names, EDS)).toBe(true);
  });
});
