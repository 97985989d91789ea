import { BadRequestError } from '../../core/errors.js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../grpc/discovery-service.js';
import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { setVersion } from '../cache/versions.js';
import { PUSH_ORDER, TYPE_URLS, type EncodedResource } from '../resource.js';
import { NameBudget } from './name-budget.js';
import { checkTypeLimit, nonceSource, type NextStep, type Protocol, type ProtocolContext } from './protocol.js';
import { SotwSubscription } from './sotw-subscription.js';
import { orderTypes, visibleResources } from './visible.js';

/** Types whose SotW responses carry the full state (omission = deletion), so an empty one is meaningful. */
const FULL_STATE: ReadonlySet<string> = new Set([TYPE_URLS.listener, TYPE_URLS.cluster]);

interface TypeState {
  readonly sub: SotwSubscription;
  /** Last nonce sent for this type; requests naming another nonce are stale. */
  nonce?: string;
  /** A response is out and its ACK/NACK has not arrived: one response per type at a time. */
  inFlight: boolean;
  sentVersion?: string;
  /** The subscription changed (or this is the first request): answer even if the version is unchanged. */
  forced: boolean;
  /** version_info of the first request of this type (a reconnecting client's last accepted version). */
  initialVersion?: string;
  nack?: { readonly version: string; readonly at: number };
}

/**
 * State-of-the-world ADS semantics (xds-pitfalls §C): per-type nonce and version, ACK/NACK by error_detail,
 * stale nonces ignored, legacy wildcard, resend on subscription change, push order CDS -> EDS -> LDS -> RDS
 * with a fresh EDS after every CDS change (the EDS version folds in the CDS version), NACK back-off.
 */
export class SotwProtocol implements Protocol<DiscoveryRequest, DiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();
  private readonly nextNonce = nonceSource();
  /** Bounds the peer-chosen names this stream holds, over all its types. */
  private readonly names = new NameBudget();
  private sentClusterVersion = '';

  constructor(private readonly ctx: ProtocolContext) {}

  handle(req: DiscoveryRequest): void {
    const typeUrl = req.type_url;
    if (!typeUrl) throw new BadRequestError('type_url is required on every ADS request');
    checkTypeLimit(this.types, typeUrl);
    let st = this.types.get(typeUrl);
    if (!st) this.types.set(typeUrl, (st = { sub: new SotwSubscription(this.names), inFlight: false, forced: false }));
    const nonce = req.response_nonce ?? '';
    if (nonce && st.nonce !== undefined && nonce !== st.nonce) {
      this.ctx.log.debug({ proxy: this.ctx.proxy, typeUrl, nonce, current: st.nonce }, 'stale nonce: request ignored');
      return;
    }
    if (nonce && nonce === st.nonce && st.inFlight) this.confirm(typeUrl, st, req);
    st.inFlight = false;
    const changed = st.sub.update(req.resource_names ?? []);
    if (st.initialVersion === undefined && st.sentVersion === undefined && !st.forced) {
      st.initialVersion = req.version_info ?? '';
      st.forced = true;
    } else if (changed) {
      st.forced = true;
    }
  }

  next(snapshot: ProxySnapshot): NextStep<DiscoveryResponse> {
    let retryAt: number | undefined;
    for (const typeUrl of orderTypes(this.types.keys(), PUSH_ORDER)) {
      const st = this.types.get(typeUrl);
      if (!st) continue;
      const visible = visibleResources(snapshot, typeUrl, st.sub.wildcard, st.sub.names);
      const version = this.versionOf(snapshot, typeUrl, visible);
      if (st.initialVersion !== undefined) {
        const resumed = st.sub.wildcard && st.initialVersion !== '' && st.initialVersion === version;
        st.initialVersion = undefined;
        if (resumed) {
          // A reconnecting wildcard subscriber already has exactly this state: nothing to resend.
          this.markSent(typeUrl, st, version);
          continue;
        }
      }
      if (!st.forced && version === st.sentVersion) continue;
      if (st.inFlight) return { kind: 'idle', retryAt };
      if (st.nack) {
        if (version === st.nack.version) continue;
        const at = st.nack.at + this.ctx.nackBackoffMs;
        if (!st.forced && this.ctx.now() < at) {
          retryAt = Math.min(retryAt ?? at, at);
          continue;
        }
      }
      if (visible.size === 0 && (!FULL_STATE.has(typeUrl) || (!st.sub.wildcard && st.sub.names.size === 0))) {
        // An empty EDS/RDS response is a no-op that some clients ignore without updating their nonce.
        this.markSent(typeUrl, st, version);
        continue;
      }
      return { kind: 'send', response: this.respond(typeUrl, st, version, visible) };
    }
    return { kind: 'idle', retryAt };
  }

  private confirm(typeUrl: string, st: TypeState, req: DiscoveryRequest): void {
    if (req.error_detail) {
      st.nack = { version: st.sentVersion ?? '', at: this.ctx.now() };
      this.ctx.stats.rejected(typeUrl, req.error_detail.message ?? '');
      this.ctx.log.warn(
        { proxy: this.ctx.proxy, typeUrl, version: st.sentVersion, error: req.error_detail.message ?? '' },
        'configuration rejected (NACK)',
      );
    } else {
      st.nack = undefined;
      this.ctx.stats.acked(typeUrl);
    }
  }

  private versionOf(snapshot: ProxySnapshot, typeUrl: string, visible: ReadonlyMap<string, EncodedResource>): string {
    if (typeUrl === TYPE_URLS.clusterLoadAssignment) return setVersion(visible.values(), this.sentClusterVersion);
    const st = this.types.get(typeUrl);
    if (st?.sub.wildcard && visible.size === snapshot.resources(typeUrl).size) return snapshot.typeVersion(typeUrl);
    return setVersion(visible.values());
  }

  private markSent(typeUrl: string, st: TypeState, version: string): void {
    st.sentVersion = version;
    st.forced = false;
    if (typeUrl === TYPE_URLS.cluster) this.sentClusterVersion = version;
  }

  private respond(typeUrl: string, st: TypeState, version: string, visible: ReadonlyMap<string, EncodedResource>): DiscoveryResponse {
    const nonce = this.nextNonce();
    st.nonce = nonce;
    st.inFlight = true;
    this.markSent(typeUrl, st, version);
    this.ctx.stats.sent(typeUrl, { version, resources: [...visible.values()], removed: [], full: true });
    this.ctx.log.debug({ proxy: this.ctx.proxy, typeUrl, version, nonce, resources: visible.size }, 'sending');
    return {
      version_info: version,
      resources: [...visible.values()].map((r) => ({ type_url: r.typeUrl, value: r.bytes })),
      type_url: typeUrl,
      nonce,
      control_plane: { identifier: this.ctx.controlPlaneId },
    };
  }
}
