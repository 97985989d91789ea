import { BadRequestError } from '../../core/errors.js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../grpc/discovery-service.js';
import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { hashParts, setVersion } from '../cache/versions.js';
import { PUSH_ORDER, TYPE_URLS, type EncodedResource } from '../resource.js';
import { NameBudget } from './name-budget.js';
import { checkTypeLimit, nonceSource, type NextStep, type Protocol, type ProtocolContext } from './protocol.js';
import { SotwSubscription } from './sotw-subscription.js';
import { orderTypes, sentResource, visibleResources, type Visible } from './visible.js';

/** `toSend`'s answer when a response carries every visible resource. */
const ALL = Symbol('all visible resources');

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
  /**
   * The snapshot the last response (or skip) of this type was computed from: what the client holds. EDS and
   * RDS responses carry only what changed since (xds-pitfalls C1), so it is the base of the next diff.
   */
  sentSnapshot?: ProxySnapshot;
  /** EDS: the CDS snapshot sent when EDS was last answered (clusters changed since need a fresh CLA). */
  clusterSnapshot?: ProxySnapshot;
  /** The next response of this type carries every visible resource (first one, after a NACK). */
  full: boolean;
  /** The last computed view, with the inputs it was computed from. */
  view?: TypeView;
}

interface TypeView {
  readonly snapshot: ProxySnapshot;
  readonly names: ReadonlySet<string>;
  readonly wildcard: boolean;
  readonly cds: ProxySnapshot | undefined;
  readonly clusters: ProxySnapshot | undefined;
  readonly visible: Visible;
  readonly touched: readonly string[];
  readonly version: string;
}

/**
 * State-of-the-world ADS semantics (xds-pitfalls §C): per-type nonce and version, ACK/NACK by error_detail,
 * stale nonces ignored, legacy wildcard, resend on subscription change, push order CDS -> EDS -> LDS -> RDS
 * with a fresh ClusterLoadAssignment for every cluster a CDS change touched, NACK back-off. CDS and LDS
 * responses carry the full state; EDS and RDS responses carry what changed since the last one (all visible
 * resources on the first response, after a subscription change and after a NACK), so an endpoint change
 * sends one CLA, not every CLA of the proxy.
 */
export class SotwProtocol implements Protocol<DiscoveryRequest, DiscoveryResponse> {
  private readonly types = new Map<string, TypeState>();
  private readonly nextNonce = nonceSource();
  /** Bounds the peer-chosen names this stream holds, over all its types. */
  private readonly names = new NameBudget();

  constructor(private readonly ctx: ProtocolContext) {}

  handle(req: DiscoveryRequest): void {
    const typeUrl = req.type_url;
    if (!typeUrl) throw new BadRequestError('type_url is required on every ADS request');
    checkTypeLimit(this.types, typeUrl);
    let st = this.types.get(typeUrl);
    if (!st) this.types.set(typeUrl, (st = { sub: new SotwSubscription(this.names, this.ctx.nameSets), inFlight: false, forced: false, full: true }));
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
      const { visible, touched, version } = this.viewOf(snapshot, typeUrl, st);
      if (st.initialVersion !== undefined) {
        const resumed = st.sub.wildcard && st.initialVersion !== '' && st.initialVersion === version;
        st.initialVersion = undefined;
        if (resumed) {
          // A reconnecting wildcard subscriber already has exactly this state: nothing to resend.
          this.markSent(typeUrl, st, version, snapshot);
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
        this.markSent(typeUrl, st, version, snapshot);
        continue;
      }
      const resources = this.toSend(typeUrl, st, snapshot, visible, touched);
      if (resources !== ALL && resources.length === 0 && !FULL_STATE.has(typeUrl)) {
        // Only the version moved (a cluster change was answered, then nothing else changed): the client has it all.
        this.markSent(typeUrl, st, version, snapshot);
        continue;
      }
      return { kind: 'send', response: this.respond(typeUrl, st, version, snapshot, visible, resources) };
    }
    return { kind: 'idle', retryAt };
  }

  /**
   * What the subscription sees of `snapshot` and its version. The pump asks after every ACK of every type,
   * so the answer is kept until one of its inputs (snapshot, subscription, the CDS state EDS depends on) changes.
   */
  private viewOf(snapshot: ProxySnapshot, typeUrl: string, st: TypeState): TypeView {
    const cds = this.types.get(TYPE_URLS.cluster)?.sentSnapshot;
    const v = st.view;
    if (v?.snapshot === snapshot && v.names === st.sub.names && v.wildcard === st.sub.wildcard && v.cds === cds && v.clusters === st.clusterSnapshot) return v;
    const visible = visibleResources(snapshot, typeUrl, st.sub.wildcard, st.sub.names, this.ctx.emptyCla);
    const touched = this.touchedClusters(typeUrl, st, visible);
    const version = this.versionOf(snapshot, typeUrl, visible, touched);
    st.view = { snapshot, names: st.sub.names, wildcard: st.sub.wildcard, cds, clusters: st.clusterSnapshot, visible, touched, version };
    return st.view;
  }

  /**
   * EDS: names of visible CLAs whose cluster changed since EDS was last answered (they need a fresh CLA).
   * The changed clusters come from the snapshots' memoised group diffs, not from a lookup per CLA.
   */
  private touchedClusters(typeUrl: string, st: TypeState, visible: Visible): string[] {
    const cds = this.types.get(TYPE_URLS.cluster)?.sentSnapshot;
    const before = st.clusterSnapshot;
    if (typeUrl !== TYPE_URLS.clusterLoadAssignment || !cds || !before || cds === before) return [];
    const touched: string[] = [];
    cds.changedSince(before, TYPE_URLS.cluster).forEach((name) => {
      if (visible.get(name)) touched.push(name);
    });
    return touched;
  }

  /** ALL for a full response (CDS, LDS, first/forced/after a NACK, or everything changed), else what the client lacks. */
  private toSend(typeUrl: string, st: TypeState, snapshot: ProxySnapshot, visible: Visible, touched: readonly string[]): EncodedResource[] | typeof ALL {
    const base = st.sentSnapshot;
    if (FULL_STATE.has(typeUrl) || st.full || st.forced || !base) return ALL;
    // Touched names are distinct visible CLAs: as many as visible means every one is sent.
    if (touched.length >= visible.size) return ALL;
    const lacking = this.lacking(base, typeUrl, snapshot, visible);
    const out = touched.length === 0 ? lacking : withTouched(visible, touched, lacking);
    return out.length === visible.size ? ALL : out;
  }

  /**
   * The visible resources of the type a client holding `base` may lack. Two sources, on purpose. A view of the
   * whole type between snapshots of the same shape (every sidecar after a mesh-wide change) takes the groups'
   * memoised lists, shared by every proxy moving between the same groups: no lookup per resource (the
   * name-by-name loop below was 10.4% of scenario b's change before 7c1d848). Those lists cannot answer for a
   * partial view (a named subscription, an empty CLA for an unknown cluster, a removed name) or for snapshots
   * of different shapes, which compare the changed names one by one against what was sent.
   */
  private lacking(base: ProxySnapshot, typeUrl: string, snapshot: ProxySnapshot, visible: Visible): EncodedResource[] {
    const listed = visible.complete ? snapshot.changedResources(base, typeUrl) : undefined;
    if (listed) return listed;
    const out: EncodedResource[] = [];
    // What the client holds differs from the snapshot only where the snapshot changed since it was sent.
    snapshot.changedSince(base, typeUrl).forEach((name) => {
      const r = visible.get(name);
      if (r && sentResource(base, typeUrl, name, this.ctx.emptyCla)?.version !== r.version) out.push(r);
    });
    return out;
  }

  private confirm(typeUrl: string, st: TypeState, req: DiscoveryRequest): void {
    if (req.error_detail) {
      st.nack = { version: st.sentVersion ?? '', at: this.ctx.now() };
      // The client kept its previous state: the next response carries everything again.
      st.full = true;
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

  private versionOf(snapshot: ProxySnapshot, typeUrl: string, visible: Visible, touched: readonly string[]): string {
    // The snapshot's type version is computed once per shared group, not per proxy and response.
    const base = visible.complete ? snapshot.typeVersion(typeUrl) : setVersion(visible.list());
    if (touched.length === 0) return base;
    // Clusters changed since EDS was last answered: a new EDS version even with the same endpoints (Envoy
    // needs a fresh CLA to finish warming a changed cluster; kumahq/kuma PR #331). The clusters' type
    // version names the CDS state those CLAs answer.
    const cds = this.types.get(TYPE_URLS.cluster)?.sentSnapshot;
    return hashParts([base, cds?.typeVersion(TYPE_URLS.cluster) ?? '']);
  }

  private markSent(typeUrl: string, st: TypeState, version: string, snapshot: ProxySnapshot): void {
    st.sentVersion = version;
    st.forced = false;
    st.sentSnapshot = snapshot;
    if (typeUrl === TYPE_URLS.clusterLoadAssignment) st.clusterSnapshot = this.types.get(TYPE_URLS.cluster)?.sentSnapshot;
  }

  /**
   * `resources`: ALL (every visible resource of the type) or only what changed (EDS/RDS). A response with
   * every resource of a complete view is the snapshot groups' pre-framed chunks: no per-resource work.
   */
  private respond(typeUrl: string, st: TypeState, version: string, snapshot: ProxySnapshot, visible: Visible, resources: readonly EncodedResource[] | typeof ALL): DiscoveryResponse {
    const nonce = this.nextNonce();
    st.nonce = nonce;
    st.inFlight = true;
    st.full = false;
    this.markSent(typeUrl, st, version, snapshot);
    const full = resources === ALL;
    // A full response is recorded as the view it was taken from (no list per stream).
    this.ctx.stats.sent(typeUrl, { version, resources: full ? visible : resources, removed: [], full });
    this.ctx.log.debug({ proxy: this.ctx.proxy, typeUrl, version, nonce, resources: full ? visible.size : resources.length }, 'sending');
    const framed = full && visible.complete;
    const listed = framed ? [] : full ? visible.list() : resources;
    return {
      version_info: version,
      ...(framed ? { framed: snapshot.framed(typeUrl) } : {}),
      resources: listed.map((r) => ({ type_url: r.typeUrl, value: r.bytes })),
      type_url: typeUrl,
      nonce,
      control_plane: { identifier: this.ctx.controlPlaneId },
    };
  }
}

/** The touched CLAs first (each is sent fresh after its cluster changed, whatever its version), then the other lacking ones. */
function withTouched(visible: Visible, touched: readonly string[], lacking: readonly EncodedResource[]): EncodedResource[] {
  const fresh = new Set(touched);
  return [...touched.flatMap((n) => visible.get(n) ?? []), ...lacking.filter((r) => !fresh.has(r.name))];
}
