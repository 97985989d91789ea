import { setImmediate as yieldToIo } from 'node:timers/promises';
import { errorMessage, ShuttingDownError } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { StoreEvent } from '../../core/store/resource-store.js';
import type { StoreView } from '../../core/view/store-view.js';
import type { ViewSubscription } from '../../core/view/view-subscription.js';
import { ProxySnapshot } from '../cache/proxy-snapshot.js';
import type { SnapshotCache } from '../cache/snapshot-cache.js';
import type { MeshInputs, ProxylessClient, ProxylessLbNote } from '../generator/index.js';
import type { EncodedResource } from '../resource.js';
import { ingressOfDataplane, ingressOfZoneIngress, type IngressProxy } from '../generator/ingress.js';
import { ProxyTemplateError } from '../generator/proxy-template/template-error.js';
import type { ResourceOf } from '../../core/resources/typed-resource.js';
import type { CertificateSigner } from '../../mtls/certificate-signer.js';
import { CertificateError } from '../../mtls/x509.js';
import { WorkloadIdentities, type IdentityRequest, type IssuedIdentity } from '../../mtls/workload-identity.js';
import type { ProxyIdentity } from '../server/node-identity.js';
import { ALL_MESHES, affectedMeshes, loadMeshInputs } from './mesh-inputs.js';
import type { XdsMetrics } from '../xds-metrics.js';

/** The generator entry points (src/xds/generator); a seam so the reconciler can be tested alone. */
export interface Generators<S> {
  /** `previous`: the mesh's last snapshot, whose encoded resources the new one may reuse. */
  buildMeshSnapshot(inputs: MeshInputs, previous?: S): S;
  /**
   * A sidecar's snapshot; what it shares with other sidecars (groups of resources) is shared, not copied.
   * `identity`: the proxy's workload certificate when its mesh has mTLS on; `adminPort`: its Envoy admin port.
   */
  sidecarSnapshot(snap: S, dataplaneName: string, identity?: IssuedIdentity, adminPort?: number): ProxySnapshot;
  /**
   * A proxyless client's snapshot (policies matched with its Dataplane as source): clients with the same
   * effective policy set and no server side get the same snapshot instance (one catalog per policy set).
   */
  proxylessSnapshot(snap: S, dataplaneName: string, client?: ProxylessClient): ProxySnapshot;
  /** Where the proxyless client gets another load balancer than its TrafficRoutes ask for (logged once each). */
  proxylessLbNotes?(snap: S, dataplaneName: string, client?: ProxylessClient): readonly ProxylessLbNote[];
  /** A zone ingress (ZoneIngress, node id `.<name>`, or Kuma 1.1 ingress Dataplane), from the snapshots of every mesh. */
  generateIngress?(snaps: ReadonlyMap<string, S>, ingress: IngressProxy): EncodedResource[];
  /** What the proxy's workload certificate is issued for; undefined = none needed (mTLS off). */
  readonly identityRequest?: (snap: S, dataplaneName: string) => IdentityRequest | undefined;
}

export interface ReconcilerDeps<S> {
  /** Where inputs are read and changes come from (started by the caller). */
  readonly view: StoreView;
  readonly cache: SnapshotCache;
  readonly generators: Generators<S>;
  readonly debounceMs: number;
  readonly localZone?: string;
  readonly log: Logger;
  /** The control plane's xDS metrics (`xds_generation`, `xds_generation_errors`). */
  readonly metrics: XdsMetrics;
  /** Signs the workload certificates of mTLS meshes (the runtime's signing pool). */
  readonly signer: CertificateSigner;
}

interface MeshEntry<S> {
  readonly snap: S;
}

/** Longest stretch of regeneration between yields to the event loop, so streams and DNS keep being served. */
const SLICE_MS = 8;
/** Workload certificates asked for at once per mesh rebuild (the signing pool queues what its workers cannot take yet). */
const SIGN_BATCH = 64;
/** A certificate that could not be issued for a passing reason (full signing queue, worker lost) is asked for again after this. */
const SIGN_RETRY_MS = 1000;
/**
 * The group of zone ingress proxies: ZoneIngresses (node id `.<name>`) and Kuma 1.1 ingress Dataplanes
 * (node id `<mesh>.<name>`, `networking.ingress`). Both route to the services of every mesh.
 */
const INGRESS_MESH = '';

const isIngressDataplane = (dp: ResourceOf<'Dataplane'> | undefined): boolean => dp?.spec.networking.ingress !== undefined;

/** A connected proxy and how many of its streams are open. */
interface ProxyEntry {
  identity: ProxyIdentity;
  refs: number;
}

/**
 * Event-driven generation: store events mark meshes dirty; after the debounce each dirty mesh's snapshot
 * is rebuilt once from the store view and every connected proxy of the mesh regenerated from it. The cache
 * drops snapshots whose type versions did not change, so unchanged config is never resent.
 */
export class Reconciler<S> {
  private readonly proxies = new Map<string, Map<string, ProxyEntry>>();
  private readonly meshes = new Map<string, MeshEntry<S>>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Meshes to regenerate once SIGN_RETRY_MS has passed (a proxy of theirs is still without its certificate). */
  private readonly signRetries = new Set<string>();
  private signRetryTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private subscription: ViewSubscription | undefined;
  /** Workload certificates per proxy (mTLS meshes); renewals due mark the proxy's mesh dirty. */
  readonly identities: WorkloadIdentities;
  private readonly issued = new Map<string, IssuedIdentity>();
  /** Per proxyless proxy, the load-balancer notes already logged. */
  private readonly lbNotesLogged = new Map<string, Set<string>>();
  /** Per proxy whose generation fails, the error last logged. */
  private readonly failing = new Map<string, string>();
  /** Per proxy key, who wants to know when its generation starts or stops failing (its ADS streams' insights). */
  private readonly errorWatchers = new Map<string, Set<(error: string | undefined) => void>>();
  /** Zone ingresses (mesh ''): the snapshots of every mesh they were last generated from. */
  private ingressSnaps = new Map<string, S>();
  /** Proxy key -> the group it is generated in (its mesh, or INGRESS_MESH for an ingress Dataplane). */
  private readonly groupOf = new Map<string, string>();

  constructor(private readonly deps: ReconcilerDeps<S>) {
    this.identities = new WorkloadIdentities(deps.signer, (keys) => this.renew(keys));
  }

  start(): void {
    this.subscription = this.deps.view.watch('xds-reconciler', (events) => this.onEvents(events));
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = undefined;
    this.identities.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.signRetryTimer) clearTimeout(this.signRetryTimer);
    this.signRetryTimer = undefined;
  }

  /**
   * Calls `fn` with the proxy's generation error whenever it starts, changes or ends (undefined), and now if
   * there is one; returns the unsubscribe function.
   */
  watchConfigError(key: string, fn: (error: string | undefined) => void): () => void {
    let set = this.errorWatchers.get(key);
    if (!set) this.errorWatchers.set(key, (set = new Set()));
    set.add(fn);
    const current = this.failing.get(key);
    if (current !== undefined) fn(current);
    return () => {
      const s = this.errorWatchers.get(key);
      s?.delete(fn);
      if (s?.size === 0) this.errorWatchers.delete(key);
    };
  }

  private setFailing(key: string, error: string | undefined): void {
    if (error === undefined) this.failing.delete(key);
    else this.failing.set(key, error);
    for (const fn of this.errorWatchers.get(key) ?? []) fn(error);
  }

  /** Registers a connected proxy and generates its snapshot (building the mesh snapshot if needed). */
  async add(identity: ProxyIdentity): Promise<void> {
    // Changes already in the view but not yet delivered (this proxy's own Dataplane just registered) mark meshes dirty now.
    this.subscription?.deliver();
    const known = this.groupOf.get(identity.key);
    const group = known ?? this.placement(identity);
    let byKey = this.proxies.get(group);
    if (!byKey) this.proxies.set(group, (byKey = new Map<string, ProxyEntry>()));
    const existing = byKey.get(identity.key);
    if (existing) existing.refs++;
    else byKey.set(identity.key, { identity, refs: 1 });
    this.groupOf.set(identity.key, group);
    const entry = group === INGRESS_MESH ? undefined : this.meshes.get(group);
    // A pending change (e.g. this proxy's own Dataplane just registered) makes the cached mesh snapshot stale.
    if (entry && !this.dirty.has(group)) {
      await this.prepareIdentities(group, entry, [identity]);
      if (this.meshes.get(group) === entry && this.proxies.get(group)?.has(identity.key)) {
        this.generate(identity, entry);
        return;
      }
    }
    this.dirty.add(group);
    await this.flush();
  }

  remove(identity: ProxyIdentity): void {
    const group = this.groupOf.get(identity.key) ?? identity.mesh;
    const byKey = this.proxies.get(group);
    const p = byKey?.get(identity.key);
    if (!byKey || !p) return;
    if (--p.refs > 0) return;
    byKey.delete(identity.key);
    this.groupOf.delete(identity.key);
    this.deps.cache.delete(identity.key);
    this.identities.forget(identity.key);
    this.issued.delete(identity.key);
    this.lbNotesLogged.delete(identity.key);
    this.failing.delete(identity.key);
    if (byKey.size === 0) {
      this.proxies.delete(group);
      this.meshes.delete(group);
    }
  }

  /** The group a proxy is generated in: INGRESS_MESH for a ZoneIngress or an Envoy whose Dataplane has `networking.ingress`. */
  private placement(identity: ProxyIdentity): string {
    if (identity.mesh === INGRESS_MESH) return INGRESS_MESH;
    const ingress = identity.kind === 'envoy' && isIngressDataplane(this.deps.view.find('Dataplane', { name: identity.name, mesh: identity.mesh }));
    return ingress ? INGRESS_MESH : identity.mesh;
  }

  /**
   * Moves the connected proxies of `group` whose Dataplane became (or stopped being) an ingress to the
   * group that generates them now, marking that group dirty; returns the proxies left in `group`.
   */
  private regroup(group: string): ProxyEntry[] {
    const byKey = this.proxies.get(group);
    if (!byKey) return [];
    const staying: ProxyEntry[] = [];
    for (const p of [...byKey.values()]) {
      const target = this.placement(p.identity);
      if (target === group) {
        staying.push(p);
        continue;
      }
      byKey.delete(p.identity.key);
      let to = this.proxies.get(target);
      if (!to) this.proxies.set(target, (to = new Map<string, ProxyEntry>()));
      to.set(p.identity.key, p);
      this.groupOf.set(p.identity.key, target);
      this.issued.delete(p.identity.key);
      this.dirty.add(target);
      this.deps.log.info({ mesh: p.identity.mesh, dataplane: p.identity.name, ingress: target === INGRESS_MESH }, 'data plane changed between ingress and sidecar; regenerating it');
    }
    if (byKey.size === 0) this.proxies.delete(group);
    return staying;
  }

  /** Rebuilds every dirty mesh now; resolves when nothing is dirty. */
  async flush(): Promise<void> {
    while (this.dirty.size > 0) {
      this.running ??= this.drain().finally(() => (this.running = undefined));
      await this.running;
    }
  }

  private onEvents(events: readonly StoreEvent[]): void {
    let any = false;
    for (const ev of events) {
      const affected = affectedMeshes(ev.type, ev.resource);
      if (affected === undefined) continue;
      // Zone ingresses (mesh '') route to every mesh: any change may concern them.
      if (this.proxies.has(INGRESS_MESH)) {
        this.dirty.add(INGRESS_MESH);
        any = true;
      }
      for (const mesh of affected === ALL_MESHES ? this.proxies.keys() : [affected]) {
        if (this.proxies.has(mesh)) {
          this.dirty.add(mesh);
          any = true;
        } else {
          this.meshes.delete(mesh);
        }
      }
    }
    if (any) this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((err: unknown) => this.deps.log.error({ err: errorMessage(err) }, 'xDS regeneration failed'));
    }, this.deps.debounceMs);
  }

  /** Certificates due for renewal: their meshes are regenerated, which issues new ones. */
  private renew(keys: readonly string[]): void {
    const wanted = new Set(keys);
    for (const [mesh, byKey] of this.proxies) {
      for (const key of byKey.keys()) {
        if (!wanted.has(key)) continue;
        this.dirty.add(mesh);
        break;
      }
    }
    this.deps.log.info({ proxies: keys.length }, 'renewing workload certificates');
    this.schedule();
  }

  /** Issues (or takes from the cache) the workload certificates of `proxies` before their generation. */
  private async prepareIdentities(mesh: string, entry: MeshEntry<S>, proxies: readonly ProxyIdentity[]): Promise<void> {
    const request = this.deps.generators.identityRequest;
    if (!request) return;
    const envoys = proxies.filter((p) => p.kind === 'envoy');
    for (let i = 0; i < envoys.length; i += SIGN_BATCH) {
      await Promise.all(
        envoys.slice(i, i + SIGN_BATCH).map(async (p) => {
          const req = request(entry.snap, p.name);
          if (!req) {
            this.issued.delete(p.key);
            return;
          }
          try {
            const id = await this.identities.issue(p.key, req);
            if (this.proxies.get(mesh)?.has(p.key)) this.issued.set(p.key, id);
          } catch (err) {
            // A CA that cannot sign waits for a change of the mesh or its secrets; a passing failure is retried.
            const passing = !(err instanceof CertificateError) && !(err instanceof ShuttingDownError);
            this.deps.log.warn({ mesh, dataplane: p.name, err: errorMessage(err), retry: passing }, 'issuing the workload certificate failed');
            if (passing) this.retrySigning(mesh);
          }
        }),
      );
    }
  }

  private retrySigning(mesh: string): void {
    this.signRetries.add(mesh);
    this.signRetryTimer ??= setTimeout(() => {
      this.signRetryTimer = undefined;
      for (const m of this.signRetries) if (this.proxies.has(m)) this.dirty.add(m);
      this.signRetries.clear();
      this.schedule();
    }, SIGN_RETRY_MS);
  }

  private async drain(): Promise<void> {
    while (this.dirty.size > 0) {
      const meshes = [...this.dirty];
      this.dirty.clear();
      for (const mesh of meshes) await this.rebuild(mesh);
    }
  }

  private async rebuild(mesh: string): Promise<void> {
    const { log } = this.deps;
    this.regroup(mesh);
    if (!this.proxies.get(mesh)?.size) {
      this.meshes.delete(mesh);
      if (mesh === INGRESS_MESH) this.ingressSnaps = new Map();
      return;
    }
    if (mesh === INGRESS_MESH) {
      this.rebuildIngresses();
      return;
    }
    const started = Date.now();
    let snap: S;
    try {
      const inputs = loadMeshInputs(this.deps.view, mesh, this.deps.localZone, this.deps.log);
      if (!inputs) {
        log.warn({ mesh }, 'mesh of connected proxies does not exist; their configuration is left as is');
        this.meshes.delete(mesh);
        return;
      }
      snap = this.deps.generators.buildMeshSnapshot(inputs, this.meshes.get(mesh)?.snap);
    } catch (err) {
      log.error({ mesh, err: errorMessage(err) }, 'building the mesh snapshot failed; proxies keep their configuration');
      return;
    }
    const entry: MeshEntry<S> = { snap };
    this.meshes.set(mesh, entry);
    const proxies = [...(this.proxies.get(mesh)?.values() ?? [])];
    await this.prepareIdentities(
      mesh,
      entry,
      proxies.map((p) => p.identity),
    );
    let changed = 0;
    let slice = performance.now();
    for (let i = 0; i < proxies.length; i++) {
      if (performance.now() - slice > SLICE_MS) {
        await yieldToIo();
        slice = performance.now();
      }
      const p = proxies[i];
      if (p && this.proxies.get(mesh)?.has(p.identity.key) && this.generate(p.identity, entry)) changed++;
    }
    // One line per push that changed something: operators see each config change reach the proxies.
    const fields = { mesh, proxies: proxies.length, updated: changed, ms: Date.now() - started };
    if (changed > 0) log.info(fields, 'configuration pushed');
    else log.debug(fields, 'mesh regenerated, no proxy changed');
  }

  /** Every zone ingress proxy, from fresh snapshots of every mesh (ingresses are few; meshes are rebuilt once). */
  private rebuildIngresses(): void {
    const { view, generators, log, cache } = this.deps;
    if (!generators.generateIngress) return;
    const snaps = new Map<string, S>();
    try {
      for (const m of view.list('Mesh')) {
        const inputs = loadMeshInputs(view, m.meta.name, this.deps.localZone, log);
        if (inputs) snaps.set(m.meta.name, generators.buildMeshSnapshot(inputs, this.ingressSnaps.get(m.meta.name)));
      }
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'building mesh snapshots for zone ingresses failed; they keep their configuration');
      return;
    }
    this.ingressSnaps = snaps;
    for (const p of this.proxies.get(INGRESS_MESH)?.values() ?? []) {
      const end = this.deps.metrics.generation.startTimer();
      try {
        const snapshot = ProxySnapshot.from(generators.generateIngress(snaps, this.ingressOf(p.identity)));
        end();
        if (this.proxies.get(INGRESS_MESH)?.has(p.identity.key)) cache.set(p.identity.key, snapshot);
      } catch (err) {
        this.deps.metrics.generationErrors.inc();
        log.warn({ ingress: p.identity.name, err: errorMessage(err) }, 'generating zone ingress configuration failed; it keeps its last configuration');
      }
    }
  }

  /** Where a connected ingress listens and what it offers, from its ZoneIngress or its ingress Dataplane. */
  private ingressOf(identity: ProxyIdentity): IngressProxy {
    const { view } = this.deps;
    if (identity.mesh === INGRESS_MESH) {
      const zi = view.find('ZoneIngress', { name: identity.name, mesh: '' });
      if (!zi) throw new Error(`ZoneIngress "${identity.name}" not found`);
      return ingressOfZoneIngress(zi);
    }
    const dp = view.find('Dataplane', { name: identity.name, mesh: identity.mesh });
    const ingress = dp && ingressOfDataplane(dp);
    if (!ingress) throw new Error(`ingress Dataplane "${identity.name}" of mesh "${identity.mesh}" not found or has no inbound`);
    return ingress;
  }

  /** Returns true if the proxy's snapshot changed. */
  private generate(identity: ProxyIdentity, entry: MeshEntry<S>): boolean {
    const { generators, cache, log } = this.deps;
    const end = this.deps.metrics.generation.startTimer();
    try {
      const snapshot = identity.kind === 'proxyless' ? generators.proxylessSnapshot(entry.snap, identity.name, identity.userAgent) : generators.sidecarSnapshot(entry.snap, identity.name, this.issued.get(identity.key), identity.adminPort);
      end();
      if (identity.kind === 'proxyless') this.logLbNotes(identity, entry);
      if (this.failing.has(identity.key)) {
        this.setFailing(identity.key, undefined);
        log.info({ mesh: identity.mesh, dataplane: identity.name }, 'proxy configuration generated again');
      }
      return cache.set(identity.key, snapshot);
    } catch (err) {
      this.deps.metrics.generationErrors.inc();
      const message = errorMessage(err);
      // One line per failure, not one per regeneration while it lasts (a broken ProxyTemplate fails every rebuild).
      if (this.failing.get(identity.key) !== message) {
        this.setFailing(identity.key, message);
        const template = err instanceof ProxyTemplateError ? { proxyTemplate: err.template } : {};
        log.warn({ mesh: identity.mesh, dataplane: identity.name, ...template, err: message }, 'generating proxy configuration failed; it keeps its last configuration');
      }
      return false;
    }
  }

  /** One info line per TrafficRoute load balancer a proxyless client gets otherwise than asked, when that starts. */
  private logLbNotes(identity: ProxyIdentity, entry: MeshEntry<S>): void {
    const notes = this.deps.generators.proxylessLbNotes?.(entry.snap, identity.name, identity.userAgent) ?? [];
    const before = this.lbNotesLogged.get(identity.key);
    if (notes.length === 0 && !before) return;
    const now = new Set<string>();
    for (const n of notes) {
      const key = JSON.stringify(n);
      now.add(key);
      if (before?.has(key)) continue;
      this.deps.log.info(
        { mesh: identity.mesh, proxy: identity.key, client: identity.userAgent ? `${identity.userAgent.name} ${identity.userAgent.version}` : '', trafficRoute: n.trafficRoute, service: n.service, requested: n.requested, applied: n.applied, reason: n.reason },
        'proxyless client gets another load balancer than its TrafficRoute asks for',
      );
    }
    if (now.size) this.lbNotesLogged.set(identity.key, now);
    else this.lbNotesLogged.delete(identity.key);
  }
}
