import { BadRequestError } from '../../core/errors.js';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '../../grpc/discovery-service.js';
import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { PUSH_ORDER, TYPE_URLS, type EncodedResource } from '../resource.js';
import { DeltaSubscription } from './delta-subscription.js';
import { NameBudget } from './name-budget.js';
import { checkTypeLimit, nonceSource, type NextStep, type Protocol, type ProtocolContext } from './protocol.js';
import { orderTypes, visibleResources } from './visible.js';

interface TypeState {
  readonly sub: DeltaSubscription;
  /** name -> version the client has (as far as we know): initial_resource_versions plus what we sent. */
  readonly known: Map<string, string>;
  /** Names the client must hear about in removed_resources even if it never had them (wildcard + name). */
  readonly forceRemoved: Set<string>;
  nonce?: string;
  inFlight: boolean;
  nackAt?: number;
}

/**
 * Incremental ADS semantics: subscribe/unsubscribe (honoured even with a stale nonce), wildcard as explicit
 * state, initial_resource_versions on reconnect, removed_resources for what the client has and the snapshot
 * lost, everything named in a subscribe is resent, CDS changes force the matching EDS, NACK back-off.
 */
export class DeltaProtocol implements Protocol<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();
  private readonly nextNonce = nonceSource();
  /** Bounds the peer-chosen names this stream holds, over all its types. */
  private readonly names = new NameBudget();

  constructor(private readonly ctx: ProtocolContext) {}

  handle(req: DeltaDiscoveryRequest): void {
    const typeUrl = req.type_url;
    if (!typeUrl) throw new BadRequestError('type_url is required on every ADS request');
    checkTypeLimit(this.types, typeUrl);
    let st = this.types.get(typeUrl);
    const first = !st;
    if (!st) this.types.set(typeUrl, (st = { sub: new DeltaSubscription(this.names), known: new Map(), forceRemoved: new Set(), inFlight: false }));
    if (first) {
      const initial = Object.entries(req.initial_resource_versions ?? {});
      // Peer-chosen too: charged to the stream's budget for good (the entries are dropped as the state moves on).
      this.names.adjust(initial.reduce((sum, [name, version]) => sum + NameBudget.cost(name) + NameBudget.cost(version), 0));
      for (const [name, version] of initial) st.known.set(name, version);
    }
    const nonce = req.response_nonce ?? '';
    if (nonce && nonce === st.nonce && st.inFlight) {
      st.inFlight = false;
      this.confirm(typeUrl, st, req);
    } else if (nonce && nonce !== st.nonce) {
      this.ctx.log.debug({ proxy: this.ctx.proxy, typeUrl, nonce, current: st.nonce }, 'stale nonce: subscription changes applied, not an ACK');
    }
    const { subscribed, unsubscribed } = st.sub.apply(req.resource_names_subscribe ?? [], req.resource_names_unsubscribe ?? []);
    if (!first) for (const name of subscribed) st.known.delete(name);
    for (const name of unsubscribed) {
      st.known.delete(name);
      if (st.sub.wildcard) st.forceRemoved.add(name);
    }
  }

  next(snapshot: ProxySnapshot): NextStep<DeltaDiscoveryResponse> {
    let retryAt: number | undefined;
    for (const typeUrl of orderTypes(this.types.keys(), PUSH_ORDER)) {
      const st = this.types.get(typeUrl);
      if (!st) continue;
      const visible = visibleResources(snapshot, typeUrl, st.sub.wildcard, st.sub.names, this.ctx.emptyCla);
      const toSend: EncodedResource[] = [];
      visible.forEach((r) => {
        if (st.known.get(r.name) !== r.version) toSend.push(r);
      });
      const removed = [...st.known.keys()].filter((n) => !visible.get(n));
      for (const n of st.forceRemoved) if (!visible.get(n) && !st.known.has(n)) removed.push(n);
      if (toSend.length === 0 && removed.length === 0) {
        st.forceRemoved.clear();
        continue;
      }
      if (st.inFlight) return { kind: 'idle', retryAt };
      if (st.nackAt !== undefined) {
        const at = st.nackAt + this.ctx.nackBackoffMs;
        if (this.ctx.now() < at) {
          retryAt = Math.min(retryAt ?? at, at);
          continue;
        }
      }
      return { kind: 'send', response: this.respond(snapshot, typeUrl, st, toSend, removed) };
    }
    return { kind: 'idle', retryAt };
  }

  private confirm(typeUrl: string, st: TypeState, req: DeltaDiscoveryRequest): void {
    if (req.error_detail) {
      // The rejected versions stay "known": they are not resent until they change, after the back-off.
      st.nackAt = this.ctx.now();
      this.ctx.stats.rejected(typeUrl, req.error_detail.message ?? '');
      this.ctx.log.warn({ proxy: this.ctx.proxy, typeUrl, error: req.error_detail.message ?? '' }, 'configuration rejected (NACK)');
    } else {
      st.nackAt = undefined;
      this.ctx.stats.acked(typeUrl);
    }
  }

  private respond(snapshot: ProxySnapshot, typeUrl: string, st: TypeState, toSend: readonly EncodedResource[], removed: readonly string[]): DeltaDiscoveryResponse {
    const nonce = this.nextNonce();
    st.nonce = nonce;
    st.inFlight = true;
    for (const r of toSend) st.known.set(r.name, r.version);
    for (const n of removed) st.known.delete(n);
    st.forceRemoved.clear();
    if (typeUrl === TYPE_URLS.cluster) {
      // A changed cluster needs a fresh ClusterLoadAssignment to finish warming, even if endpoints are unchanged.
      const eds = this.types.get(TYPE_URLS.clusterLoadAssignment);
      for (const r of toSend) eds?.known.delete(r.name);
    }
    this.ctx.stats.sent(typeUrl, { version: snapshot.typeVersion(typeUrl), resources: toSend, removed, full: false });
    this.ctx.log.debug({ proxy: this.ctx.proxy, typeUrl, nonce, resources: toSend.length, removed: removed.length }, 'sending');
    return {
      system_version_info: snapshot.typeVersion(typeUrl),
      resources: toSend.map((r) => ({ name: r.name, version: r.version, resource: { type_url: r.typeUrl, value: r.bytes } })),
      type_url: typeUrl,
      removed_resources: [...removed],
      nonce,
      control_plane: { identifier: this.ctx.controlPlaneId },
    };
  }
}
