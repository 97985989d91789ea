import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../grpc/discovery-service.js';
import { CDS, EDS, LDS, node, RDS, res, type TestStream, baseResources, TEST_PROXY, useAdsHarness } from '../../../test/helpers/ads-client.js';

type Delta = TestStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

const harness = useAdsHarness();
const KEY = TEST_PROXY;
const base = baseResources;

const names = (r: DeltaDiscoveryResponse): string[] => r.resources.map((x) => x.name).sort();
const ackOf = (r: DeltaDiscoveryResponse, extra: Partial<DeltaDiscoveryRequest> = {}): DeltaDiscoveryRequest => ({ type_url: r.type_url, response_nonce: r.nonce, ...extra });

function open(): Delta {
  return harness().client().delta();
}

/** Subscribes RDS to `name` (RDS is last in push order) and waits for it: earlier pushes arrive first. */
async function barrier(s: Delta, name: string): Promise<DeltaDiscoveryResponse> {
  s.send({ type_url: RDS, resource_names_subscribe: [name] });
  const r = await s.next(RDS);
  s.send(ackOf(r));
  return r;
}

describe('delta ADS', () => {
  it('serves a legacy wildcard (empty first subscribe), then only changes, and removals', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const first = await s.next(CDS);
    expect(names(first)).toEqual(['a', 'b']);
    expect(first.removed_resources).toEqual([]);
    s.send(ackOf(first));
    harness().set(KEY, [...base().filter((r) => !(r.typeUrl === CDS && (r.name === 'a' || r.name === 'b'))), res.cluster('a', 9)]);
    const change = await s.next(CDS);
    expect(names(change)).toEqual(['a']);
    expect(change.removed_resources).toEqual(['b']);
    expect(change.resources[0]?.version).toBeTruthy();
  });

  it('rejects a request without type_url and a stream without node', async () => {
    const s = open();
    s.send({ type_url: CDS });
    expect((await s.status()).code).toBe(status.INVALID_ARGUMENT);
    harness().set(KEY, base());
    const s2 = open();
    s2.send({ type_url: CDS, node: node({ id: KEY }) });
    await s2.next(CDS);
    s2.send({ type_url: '' });
    expect((await s2.status()).code).toBe(status.INVALID_ARGUMENT);
  });

  it('sends explicit names only, keeps unknown ones out of removed_resources, and sends them when they appear', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: RDS, resource_names_subscribe: ['r1', 'later'], node: node({ id: KEY }) });
    const r = await s.next(RDS);
    expect(names(r)).toEqual(['r1']);
    expect(r.removed_resources).toEqual([]);
    s.send(ackOf(r));
    harness().set(KEY, [...base(), res.route('later', 'a')]);
    const later = await s.next(RDS);
    expect(names(later)).toEqual(['later']);
    expect(later.removed_resources).toEqual([]);
  });

  it('on reconnect sends only what differs from initial_resource_versions and removes what is gone', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const first = await s.next(CDS);
    const versions = Object.fromEntries(first.resources.map((r) => [r.name, r.version]));
    s.cancel();
    harness().set(KEY, [res.cluster('a'), res.cluster('c'), res.cla('a', 1)]);
    const s2 = open();
    s2.send({ type_url: CDS, node: node({ id: KEY }), initial_resource_versions: { ...versions, stale: 'v0' } });
    const resumed = await s2.next(CDS);
    expect(names(resumed)).toEqual(['c']);
    expect(resumed.removed_resources.sort()).toEqual(['b', 'stale']);
  });

  it('resends a resource named in a later subscribe even if the client has it (unsubscribe + resubscribe)', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: RDS, resource_names_subscribe: ['r1'], node: node({ id: KEY }) });
    const r = await s.next(RDS);
    s.send(ackOf(r, { resource_names_unsubscribe: ['r1'] }));
    s.send({ type_url: RDS, resource_names_subscribe: ['r1'] });
    const again = await s.next(RDS);
    expect(names(again)).toEqual(['r1']);
    expect(again.resources[0]?.version).toBe(r.resources[0]?.version);
  });

  it('honours a subscription change carried by a stale nonce (not counted as an ACK)', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: RDS, resource_names_subscribe: ['r1'], node: node({ id: KEY }) });
    const r = await s.next(RDS);
    s.send(ackOf(r));
    s.send({ type_url: RDS, resource_names_subscribe: ['r2'], response_nonce: 'xyz' });
    expect(names(await s.next(RDS))).toEqual(['r2']);
    expect(harness().stats.get(KEY)?.[0]?.toSubscription().status.rds?.responsesAcknowledged).toBe(1);
  });

  it('with wildcard plus a name, unsubscribing the name resends it (still covered by the wildcard)', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, resource_names_subscribe: ['*', 'a'], node: node({ id: KEY }) });
    const all = await s.next(CDS);
    expect(names(all)).toEqual(['a', 'b']);
    s.send(ackOf(all, { resource_names_unsubscribe: ['a'] }));
    const again = await s.next(CDS);
    expect(names(again)).toEqual(['a']);
  });

  it('with wildcard plus a missing name, unsubscribing the name reports it in removed_resources', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, resource_names_subscribe: ['*', 'ghost'], node: node({ id: KEY }) });
    const all = await s.next(CDS);
    s.send(ackOf(all, { resource_names_unsubscribe: ['ghost'] }));
    const removed = await s.next(CDS);
    expect(removed.resources).toEqual([]);
    expect(removed.removed_resources).toEqual(['ghost']);
  });

  it('ignores phantom unsubscribes (names never subscribed): nothing is sent, not even removed_resources', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const all = await s.next(CDS);
    s.send(ackOf(all, { resource_names_unsubscribe: ['ghost', 'a'] }));
    await barrier(s, 'r1');
    expect(s.pending).toEqual([]);
    expect(s.received.map((r) => r.type_url)).toEqual([CDS, RDS]);
  });

  it('pushes in order CDS -> EDS -> LDS -> RDS and resends the EDS of a changed cluster', async () => {
    // Barrier: with an empty snapshot the EDS request, sent last, is answered by empty ClusterLoadAssignments
    // for a and b; requests of one stream are handled in order, so all four subscriptions exist once that
    // answer arrives (and any empty answer to an earlier request came before it). Waiting for the stream's
    // registration alone let the snapshot race the later requests: RDS, the only one handled yet, went first.
    harness().set(KEY, []);
    const s = open();
    s.send({ type_url: RDS, resource_names_subscribe: ['r1'], node: node({ id: KEY }) })
      .send({ type_url: LDS })
      .send({ type_url: CDS })
      .send({ type_url: EDS, resource_names_subscribe: ['a', 'b'] });
    s.send(ackOf(await s.next(EDS)));
    for (const early of [...s.pending]) s.send(ackOf(await s.next(early.type_url)));
    const before = s.received.length;
    harness().set(KEY, base());
    for (const t of [CDS, EDS, LDS, RDS]) s.send(ackOf(await s.next(t)));
    expect(s.received.slice(before).map((r) => r.type_url)).toEqual([CDS, EDS, LDS, RDS]);
    harness().set(KEY, [...base().filter((r) => !(r.typeUrl === CDS && r.name === 'a')), res.cluster('a', 8)]);
    const cds = await s.next(CDS);
    expect(names(cds)).toEqual(['a']);
    const eds = await s.next(EDS);
    expect(names(eds)).toEqual(['a']);
  });

  it('answers an unknown requested cluster with an empty ClusterLoadAssignment', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: EDS, resource_names_subscribe: ['nope'], node: node({ id: KEY }) });
    const eds = await s.next(EDS);
    expect(names(eds)).toEqual(['nope']);
  });

  it('does not resend rejected resources; sends the fix after the back-off', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    s.send(ackOf(await s.next(CDS)));
    harness().set(KEY, [...base(), res.cluster('bad')]);
    const bad = await s.next(CDS);
    s.send(ackOf(bad, { error_detail: { code: 3, message: 'bad cluster' } }));
    await barrier(s, 'r1');
    expect(s.pending).toEqual([]);
    harness().set(KEY, [...base(), res.cluster('bad', 3)]);
    const fixed = await s.next(CDS);
    expect(names(fixed)).toEqual(['bad']);
    expect(harness().stats.get(KEY)?.[0]?.toSubscription().status.cds?.responsesRejected).toBe(1);
  });
});
