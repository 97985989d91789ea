import { describe, expect, it } from 'vitest';
import { configureLogging, logger } from '../../core/logging.js';
import type { DeltaDiscoveryResponse, DiscoveryResponse } from '../../grpc/discovery-service.js';
import { CDS, res } from '../../../test/helpers/ads-client.js';
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { SubscriptionStats } from '../insights/subscription-stats.js';
import type { EncodedResource } from '../resource.js';
import { DeltaProtocol } from './delta-protocol.js';
import type { NextStep, ProtocolContext } from './protocol.js';
import { SotwProtocol } from './sotw-protocol.js';
import { EmptyClaMemo } from './empty-cla.js';

configureLogging('off');

/**
 * NACK back-off on a fake clock (xds-pitfalls §C2, Kuma #13852): after a NACK the server neither resends the
 * rejected config nor sends a new one before the back-off has passed, so a client that rejects every
 * version cannot drive a hot resend loop.
 */
const BACKOFF = 5000;

function context() {
  const clock = { now: 1_000_000 };
  const stats = new SubscriptionStats('cp', undefined);
  const ctx: ProtocolContext = { proxy: 'default.dp-1', controlPlaneId: 'cp', nackBackoffMs: BACKOFF, stats, log: logger('test'), now: () => clock.now, emptyCla: new EmptyClaMemo() };
  return { clock, stats, ctx };
}

const snap = (...extra: EncodedResource[]) => ProxySnapshot.from([res.cluster('a'), ...extra]);

function sent<R>(step: NextStep<R>): R {
  if (step.kind !== 'send') throw new Error(`expected a response, got ${JSON.stringify(step)}`);
  return step.response;
}

describe('NACK back-off (SotW)', () => {
  it('never resends a rejected version and holds a new one until the back-off has passed', () => {
    const { clock, stats, ctx } = context();
    const p = new SotwProtocol(ctx);
    p.handle({ type_url: CDS });
    const good = sent(p.next(snap()));
    p.handle({ type_url: CDS, version_info: good.version_info, response_nonce: good.nonce });
    const bad: DiscoveryResponse = sent(p.next(snap(res.cluster('bad', 1))));
    // C-core NACKs with version_info = the rejected version: error_detail alone makes it a NACK.
    p.handle({ type_url: CDS, version_info: bad.version_info, response_nonce: bad.nonce, error_detail: { code: 3, message: 'no' } });
    expect(stats.toSubscription().status.cds).toEqual({ responsesSent: 2, responsesAcknowledged: 1, responsesRejected: 1 });
    // The rejected version is never sent again, whatever the time.
    clock.now += 10 * BACKOFF;
    expect(p.next(snap(res.cluster('bad', 1)))).toEqual({ kind: 'idle', retryAt: undefined });
    // A new (still bad) version right after another NACK waits for the back-off.
    const bad2 = sent(p.next(snap(res.cluster('bad', 2))));
    p.handle({ type_url: CDS, version_info: good.version_info, response_nonce: bad2.nonce, error_detail: { code: 3, message: 'no' } });
    const nackAt = clock.now;
    clock.now += 1;
    expect(p.next(snap(res.cluster('bad', 3)))).toEqual({ kind: 'idle', retryAt: nackAt + BACKOFF });
    clock.now = nackAt + BACKOFF - 1;
    expect(p.next(snap(res.cluster('bad', 3))).kind).toBe('idle');
    clock.now = nackAt + BACKOFF;
    expect(sent(p.next(snap(res.cluster('bad', 3)))).version_info).not.toBe(bad2.version_info);
    expect(stats.toSubscription().status.cds?.responsesSent).toBe(4);
  });

  it('a repeated NACK with an answered nonce is neither counted again nor answered', () => {
    const { clock, stats, ctx } = context();
    const p = new SotwProtocol(ctx);
    p.handle({ type_url: CDS });
    const bad = sent(p.next(snap()));
    const nack = { type_url: CDS, version_info: '', response_nonce: bad.nonce, error_detail: { code: 14, message: 'no' } };
    p.handle(nack);
    p.handle(nack);
    clock.now += 10 * BACKOFF;
    expect(p.next(snap()).kind).toBe('idle');
    expect(stats.toSubscription().status.cds?.responsesRejected).toBe(1);
  });
});

describe('NACK back-off (delta)', () => {
  it('never resends rejected resources and holds changes until the back-off has passed', () => {
    const { clock, stats, ctx } = context();
    const p = new DeltaProtocol(ctx);
    p.handle({ type_url: CDS });
    const first: DeltaDiscoveryResponse = sent(p.next(snap()));
    p.handle({ type_url: CDS, response_nonce: first.nonce });
    const bad = sent(p.next(snap(res.cluster('bad', 1))));
    p.handle({ type_url: CDS, response_nonce: bad.nonce, error_detail: { code: 3, message: 'no' } });
    const nackAt = clock.now;
    expect(p.next(snap(res.cluster('bad', 1))).kind).toBe('idle');
    clock.now += 1;
    expect(p.next(snap(res.cluster('bad', 2)))).toEqual({ kind: 'idle', retryAt: nackAt + BACKOFF });
    clock.now = nackAt + BACKOFF;
    const fixed = sent(p.next(snap(res.cluster('bad', 2))));
    expect(fixed.resources.map((r) => r.name)).toEqual(['bad']);
    expect(stats.toSubscription().status.cds).toEqual({ responsesSent: 3, responsesAcknowledged: 1, responsesRejected: 1 });
  });
});
