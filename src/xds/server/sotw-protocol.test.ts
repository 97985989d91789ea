import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { DiscoveryResponse } from '../../grpc/discovery-service.js';
import {
  ack,
  CDS,
  decodeResource,
  EDS,
  LDS,
  nack,
  node,
  RDS,
  res,
  resourceNames,
    type TestStream,
  baseResources,
  TEST_PROXY,
  useAdsHarness,
} from '../../../test/helpers/ads-client.js';
import type { DiscoveryRequest } from '../../grpc/discovery-service.js';
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { ResourceGroup } from '../cache/resource-group.js';
import type { EncodedResource } from '../resource.js';

type Sotw = TestStream<DiscoveryRequest, DiscoveryResponse>;

const harness = useAdsHarness();
const KEY = TEST_PROXY;
const base = baseResources;

function open(): Sotw {
  return harness().client().sotw();
}

/**
 * A barrier: changes the RDS subscription (RDS is last in push order) and waits for that RDS response.
 * Any response the server would have sent for an earlier type is written before it, so after the barrier
 * `pending` holds everything that was going to come.
 */
async function barrier(s: Sotw, names: string[], lastRds?: DiscoveryResponse): Promise<DiscoveryResponse> {
  s.send(lastRds ? ack(lastRds, names) : { type_url: RDS, resource_names: names, node: undefined });
  return s.next(RDS);
}

describe('SotW ADS: stream set-up', () => {
  it('ends a stream without node with INVALID_ARGUMENT', async () => {
    const s = open();
    s.send({ type_url: CDS });
    const st = await s.status();
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.details).toMatch(/node/);
  });

  it('ends a stream with a malformed node id with INVALID_ARGUMENT', async () => {
    const s = open();
    s.send({ type_url: CDS, node: node({ id: 'no-dot' }) });
    const st = await s.status();
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.details).toContain('no-dot');
  });

  it('ends a stream of an unknown dataplane or mesh with NOT_FOUND naming it', async () => {
    const s1 = open();
    s1.send({ type_url: CDS, node: node({ id: 'default.ghost' }) });
    const st1 = await s1.status();
    expect(st1.code).toBe(status.NOT_FOUND);
    expect(st1.details).toContain('ghost');
    const s2 = open();
    s2.send({ type_url: CDS, node: node({ id: 'nomesh.dp-1' }) });
    const st2 = await s2.status();
    expect(st2.code).toBe(status.NOT_FOUND);
    expect(st2.details).toContain('nomesh');
  });

  it('rejects a request without type_url', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    await s.next(CDS);
    s.send({ type_url: '' });
    expect((await s.status()).code).toBe(status.INVALID_ARGUMENT);
  });

  it('rejects a node id change within the stream', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    await s.next(CDS);
    s.send({ type_url: LDS, node: node({ id: 'default.dp-2' }) });
    const st = await s.status();
    expect(st.code).toBe(status.INVALID_ARGUMENT);
    expect(st.details).toMatch(/node id changed/);
  });

  it('caches the node of the first request: later requests need none; session closes when the stream ends', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const cds = await s.next(CDS);
    s.send(ack(cds)).send({ type_url: LDS });
    expect(resourceNames(await s.next(LDS))).toEqual(['l1']);
    s.close();
    await s.status();
    await expect.poll(() => harness().closed).toEqual([KEY]);
  });
});

describe('SotW ADS: versions, nonces, ACK', () => {
  it('answers a wildcard CDS with the full state, per-type version and nonce; an ACK triggers nothing', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const cds = await s.next(CDS);
    expect(resourceNames(cds).sort()).toEqual(['a', 'b']);
    expect(cds.version_info).not.toBe('');
    expect(cds.nonce).not.toBe('');
    s.send(ack(cds));
    const r = await barrier(s, ['r1']);
    expect(resourceNames(r)).toEqual(['r1']);
    expect(r.nonce).not.toBe(cds.nonce);
    expect(s.pending).toEqual([]);
    const st = harness().stats.get(KEY)?.[0]?.toSubscription().status;
    expect(st?.cds).toEqual({ responsesSent: 1, responsesAcknowledged: 1, responsesRejected: 0 });
  });

  it('pushes a changed type only, with a new version; unchanged types are not resent', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) }).send({ type_url: LDS });
    const cds = await s.next(CDS);
    const lds = await s.next(LDS);
    s.send(ack(cds)).send(ack(lds));
    const r1 = await barrier(s, ['r1']);
    harness().set(KEY, [...base().filter((r) => r.name !== 'l1'), res.listener('l1', 20000)]);
    const lds2 = await s.next(LDS);
    expect(lds2.version_info).not.toBe(lds.version_info);
    s.send(ack(lds2));
    await barrier(s, ['r1', 'r2'], r1);
    expect(s.received.filter((x) => x.type_url === CDS)).toHaveLength(1);
  });

  it('orders pushes CDS -> EDS -> LDS -> RDS whatever the request order', async () => {
    // Barrier: an empty snapshot is answered by empty CDS and LDS responses (full-state types) and an empty
    // ClusterLoadAssignment for the requested cluster `a`, nothing for RDS. The CDS response proves the CDS
    // request, sent last, was handled, so all four subscriptions exist before the snapshot with resources of
    // every type arrives. Waiting for the stream's registration alone let that snapshot race the later
    // requests: RDS, the only one handled yet, was answered first.
    harness().set(KEY, []);
    const s = open();
    s.send({ type_url: RDS, resource_names: ['r1'], node: node({ id: KEY }) })
      .send({ type_url: LDS })
      .send({ type_url: EDS, resource_names: ['a'] })
      .send({ type_url: CDS });
    const empty = [await s.next(CDS), await s.next(EDS), await s.next(LDS)];
    expect(empty.map(resourceNames)).toEqual([[], ['a'], []]);
    s.send(ack(empty[0]!)).send(ack(empty[1]!, ['a'])).send(ack(empty[2]!));
    harness().set(KEY, base());
    await s.next(RDS);
    expect(s.received.slice(3).map((r) => r.type_url)).toEqual([CDS, EDS, LDS, RDS]);
  });

  it('sends a fresh EDS after every CDS change even when endpoints are unchanged', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) }).send({ type_url: EDS, resource_names: ['a', 'b'] });
    const cds = await s.next(CDS);
    const eds = await s.next(EDS);
    s.send(ack(cds)).send(ack(eds, ['a', 'b']));
    harness().set(KEY, [...base().filter((r) => r.name !== 'a' || r.typeUrl !== CDS), res.cluster('a', 7)]);
    const cds2 = await s.next(CDS);
    const eds2 = await s.next(EDS);
    expect(cds2.version_info).not.toBe(cds.version_info);
    expect(eds2.version_info).not.toBe(eds.version_info);
    // Only the changed cluster's CLA: an EDS response may carry just what changed (b's is unchanged).
    expect(resourceNames(eds2)).toEqual(['a']);
    expect(s.received.map((r) => r.type_url)).toEqual([CDS, EDS, CDS, EDS]);
  });

  it('sends only the changed ClusterLoadAssignment and RouteConfiguration, and everything again after a NACK', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) }).send({ type_url: EDS, resource_names: ['a', 'b'] });
    const cds = await s.next(CDS);
    const eds = await s.next(EDS);
    s.send(ack(cds)).send(ack(eds, ['a', 'b']));
    const r1 = await barrier(s, ['r1', 'r2']);
    s.send(ack(r1, ['r1', 'r2']));
    // One more endpoint of b: one CLA, nothing else.
    harness().set(KEY, [...base().filter((r) => r.typeUrl !== EDS), res.cla('a', 1), res.cla('b', 2, 3)]);
    const eds2 = await s.next(EDS);
    expect(resourceNames(eds2)).toEqual(['b']);
    expect(eds2.version_info).not.toBe(eds.version_info);
    s.send(ack(eds2, ['a', 'b']));
    harness().set(KEY, [...base().filter((r) => r.typeUrl !== EDS && r.name !== 'r2'), res.cla('a', 1), res.cla('b', 2, 3), res.route('r2', 'a')]);
    const r2 = await s.next(RDS);
    expect(resourceNames(r2)).toEqual(['r2']);
    expect(r2.version_info).not.toBe(r1.version_info);
    // A rejected EDS response: the client kept its old state, so the next one carries every CLA.
    harness().set(KEY, [...base().filter((r) => r.typeUrl !== EDS && r.name !== 'r2'), res.cla('a', 1), res.cla('b', 4), res.route('r2', 'a')]);
    const eds3 = await s.next(EDS);
    expect(resourceNames(eds3)).toEqual(['b']);
    s.send(nack(eds3, eds2.version_info, ['a', 'b']));
    harness().set(KEY, [...base().filter((r) => r.typeUrl !== EDS && r.name !== 'r2'), res.cla('a', 1), res.cla('b', 5), res.route('r2', 'a')]);
    const eds4 = await s.next(EDS);
    expect(resourceNames(eds4).sort()).toEqual(['a', 'b']);
    expect(s.received.filter((r) => r.type_url === CDS)).toHaveLength(1);
  });

  it('sends a named subscription with an unknown cluster (a partial view) only the CLAs that differ from what it holds', async () => {
    const set = (...groups: EncodedResource[][]): boolean => harness().cache.set(KEY, ProxySnapshot.of(groups.map((g) => new ResourceGroup(g))));
    const names = ['a', 'b', 'nope'];
    set([res.cla('a', 1), res.cla('b', 2)], [res.cla('c', 3)]);
    const s = open();
    s.send({ type_url: EDS, resource_names: names, node: node({ id: KEY }) });
    const eds = await s.next(EDS);
    expect(resourceNames(eds).sort()).toEqual(names);
    s.send(ack(eds, names));
    // a changes and b moves to the other group unchanged: the groups' diffs name both, the client lacks only a.
    set([res.cla('a', 5)], [res.cla('c', 3), res.cla('b', 2)]);
    const eds2 = await s.next(EDS);
    expect(resourceNames(eds2)).toEqual(['a']);
    s.send(ack(eds2, names));
    // a goes away: the client holds its endpoints, so it gets a's empty CLA.
    set([], [res.cla('c', 3), res.cla('b', 2)]);
    const eds3 = await s.next(EDS);
    expect(eds3.resources.map(decodeResource)).toEqual([{ cluster_name: 'a' }]);
  });

  it.each([[['a', 'b']], [['a', 'b', 'nope']]])('sends a CLA once when its cluster and its endpoints change together (EDS names %j)', async (names) => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) }).send({ type_url: EDS, resource_names: names });
    const cds = await s.next(CDS);
    const eds = await s.next(EDS);
    s.send(ack(cds)).send(ack(eds, names));
    harness().set(KEY, [...base().filter((r) => r.name !== 'a'), res.cluster('a', 7), res.cla('a', 9)]);
    await s.next(CDS);
    const eds2 = await s.next(EDS);
    expect(resourceNames(eds2)).toEqual(['a']);
  });

  it('answers a requested unknown cluster with an empty ClusterLoadAssignment', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: EDS, resource_names: ['a', 'nope'], node: node({ id: KEY }) });
    const eds = await s.next(EDS);
    const byName = new Map(eds.resources.map((r) => [String(decodeResource(r)['cluster_name']), decodeResource(r)]));
    expect([...byName.keys()].sort()).toEqual(['a', 'nope']);
    expect(byName.get('nope')).toEqual({ cluster_name: 'nope' });
  });

  it('serves only the requested names to a non-wildcard subscriber and pushes names that appear later', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, resource_names: ['b', 'later'], node: node({ id: KEY, userAgent: 'gRPC Node Pure JS' }) });
    const cds = await s.next(CDS);
    expect(resourceNames(cds)).toEqual(['b']);
    s.send(ack(cds, ['b', 'later']));
    harness().set(KEY, [...base(), res.cluster('later')]);
    const cds2 = await s.next(CDS);
    expect(resourceNames(cds2).sort()).toEqual(['b', 'later']);
  });

  it('does not count a repeated request with an answered nonce as another ACK', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: RDS, resource_names: ['r1'], node: node({ id: KEY }) });
    const r = await s.next(RDS);
    s.send(ack(r, ['r1'])).send(ack(r, ['r1']));
    const r2 = await barrier(s, ['r1', 'r2'], r);
    expect(resourceNames(r2).sort()).toEqual(['r1', 'r2']);
    expect(harness().stats.get(KEY)?.[0]?.toSubscription().status.rds?.responsesAcknowledged).toBe(1);
  });
});

describe('SotW ADS: subscriptions', () => {
  it('resends unchanged resources when the subscription changes, and after unsubscribe + resubscribe', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: RDS, resource_names: ['r1'], node: node({ id: KEY }) });
    const r1 = await s.next(RDS);
    s.send(ack(r1, []));
    // Empty after explicit names = unsubscribe everything: an empty RDS response is not sent.
    s.send({ type_url: LDS });
    const lds = await s.next(LDS);
    s.send(ack(lds));
    s.send(ack(r1, ['r1']));
    const again = await s.next(RDS);
    expect(resourceNames(again)).toEqual(['r1']);
    expect(again.version_info).toBe(r1.version_info);
    expect(again.nonce).not.toBe(r1.nonce);
    expect(s.received.map((r) => r.type_url)).toEqual([RDS, LDS, RDS]);
  });

  it('treats an empty first request as wildcard (legacy), and * as explicit wildcard', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: RDS, node: node({ id: KEY }) });
    const all = await s.next(RDS);
    expect(resourceNames(all).sort()).toEqual(['r1', 'r2']);
    s.send(ack(all, ['r1']));
    expect(resourceNames(await s.next(RDS))).toEqual(['r1']);
    const last = s.received.at(-1) as DiscoveryResponse;
    s.send(ack(last, ['*', 'r1']));
    expect(resourceNames(await s.next(RDS)).sort()).toEqual(['r1', 'r2']);
  });

  it('ignores a request with a stale nonce and processes the next one with the current nonce', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: EDS, resource_names: ['a'], node: node({ id: KEY }) });
    const eds = await s.next(EDS);
    s.send({ type_url: EDS, resource_names: ['a', 'b'], response_nonce: 'xyz', version_info: eds.version_info });
    const r = await barrier(s, ['r1']);
    expect(s.pending).toEqual([]);
    expect(s.received.map((x) => x.type_url)).toEqual([EDS, RDS]);
    s.send(ack(r, ['r1'])).send(ack(eds, ['a', 'b']));
    expect(resourceNames(await s.next(EDS)).sort()).toEqual(['a', 'b']);
  });

  it('tracks nonces per type: an older nonce of another type is current for that type, and stale for this one', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) }).send({ type_url: EDS, resource_names: ['a'] });
    const cds = await s.next(CDS);
    const eds = await s.next(EDS);
    // The CDS ACK arrives after the EDS response went out: still the current CDS nonce, so an ACK.
    s.send(ack(cds));
    // An EDS request carrying the CDS nonce is stale for EDS: its new subscription is ignored.
    s.send({ type_url: EDS, resource_names: ['a', 'b'], response_nonce: cds.nonce, version_info: eds.version_info });
    await barrier(s, ['r1']);
    expect(s.pending).toEqual([]);
    expect(harness().stats.get(KEY)?.[0]?.toSubscription().status.cds?.responsesAcknowledged).toBe(1);
    expect(harness().stats.get(KEY)?.[0]?.toSubscription().status.eds?.responsesAcknowledged).toBe(0);
  });
});

describe('SotW ADS: NACK', () => {
  it('does not resend a rejected version, and sends the fixed config after the back-off', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const cds = await s.next(CDS);
    s.send(ack(cds));
    harness().set(KEY, [...base(), res.cluster('bad')]);
    const bad = await s.next(CDS);
    expect(resourceNames(bad)).toContain('bad');
    s.send(nack(bad, cds.version_info));
    await barrier(s, ['r1']);
    expect(s.pending).toEqual([]);
    harness().set(KEY, [...base(), res.cluster('fixed')]);
    const fixed = await s.next(CDS);
    expect(resourceNames(fixed).sort()).toEqual(['a', 'b', 'fixed']);
    const sub = harness().stats.get(KEY)?.[0]?.toSubscription();
    expect(sub?.status.cds).toEqual({ responsesSent: 3, responsesAcknowledged: 1, responsesRejected: 1 });
  });
});

describe('SotW ADS: reconnect', () => {
  it('answers a reconnect carrying an old version with the current state', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const cds = await s.next(CDS);
    s.cancel();
    harness().set(KEY, [...base(), res.cluster('c')]);
    const s2 = open();
    s2.send({ type_url: CDS, node: node({ id: KEY }), version_info: cds.version_info, response_nonce: cds.nonce });
    const again = await s2.next(CDS);
    expect(resourceNames(again).sort()).toEqual(['a', 'b', 'c']);
  });

  it('does not resend a wildcard type to a reconnecting client that already has the current version', async () => {
    harness().set(KEY, base());
    const s = open();
    s.send({ type_url: CDS, node: node({ id: KEY }) });
    const cds = await s.next(CDS);
    s.cancel();
    const s2 = open();
    s2.send({ type_url: CDS, node: node({ id: KEY }), version_info: cds.version_info });
    await barrier(s2, ['r1']);
    expect(s2.received.map((r) => r.type_url)).toEqual([RDS]);
  });
});
