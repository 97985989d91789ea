import { createHash } from 'node:crypto';
import type { Tags } from '../core/resources/specs.js';
import type { CertificateSigner } from './certificate-signer.js';
import type { MeshCaMaterial } from './mesh-ca.js';

/** What a workload certificate is issued for: the mesh CA and the proxy's tag sets (one per inbound). */
export interface IdentityRequest {
  readonly mesh: string;
  readonly ca: MeshCaMaterial;
  readonly tagSets: readonly Tags[];
}

export interface IssuedIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  /** The mesh CA certificate the workload certificate chains to. */
  readonly caPem: string;
  readonly expiresAt: Date;
  /** Content key of the certificate (changes with every issue). */
  readonly key: string;
}

/** Renew when this fraction of the lifetime is left (Kuma's kuma-dp rotates at 1/5 remaining). */
export const RENEW_WHEN_LEFT = 0.2;
/** setTimeout's limit; renewals further out are re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The SPIFFE id of a service of a mesh (DESIGN §5): what workload certificates carry and peers expect. */
export function spiffeId(mesh: string, service: string): string {
  return `spiffe://${mesh}/${service}`;
}

/**
 * `spiffe://<mesh>/<service>` for each service, then `kuma://<tag>/<value>` for each tag, each once, sorted
 * (Kuma's workload certificate SANs).
 */
export function workloadUris(mesh: string, tagSets: readonly Tags[]): string[] {
  const services = new Set<string>();
  const tags = new Set<string>();
  for (const set of tagSets) {
    for (const [k, v] of Object.entries(set)) {
      if (k === 'kuma.io/service') services.add(spiffeId(mesh, v));
      tags.add(`kuma://${k}/${v}`);
    }
  }
  return [...[...services].sort(), ...[...tags].sort()];
}

interface Entry {
  readonly requestKey: string;
  readonly issued: Promise<IssuedIdentity>;
  renewAt: number;
  /** Reported as due: the next issue() signs again. */
  due: boolean;
}

/**
 * Issues and caches workload certificates per proxy: a proxy asking again with the same CA and identity gets
 * the cached certificate until it is due for renewal (1/5 of its lifetime left), so regenerating a proxy's
 * configuration does not sign again, and concurrent requests for the same identity share one signature.
 * The key generation and signing are done by `signer` (the runtime's SigningPool: worker threads, so the
 * event loop keeps serving other proxies). `onRenewalDue` is called with the proxies whose certificates need
 * renewing; the caller regenerates them, which issues new ones. The same API serves Envoy (SDS secrets) and
 * proxyless gRPC.
 */
export class WorkloadIdentities {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly signer: CertificateSigner,
    private readonly onRenewalDue: (proxyKeys: string[]) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** The certificate of proxy `proxyKey` for `request`, issued if none is cached, due or for another identity. */
  issue(proxyKey: string, request: IdentityRequest): Promise<IssuedIdentity> {
    const uris = workloadUris(request.mesh, request.tagSets);
    const requestKey = hash([request.ca.certPem, request.ca.keyPem, String(request.ca.workloadLifetimeMs), ...uris]);
    const entry = this.entries.get(proxyKey);
    if (entry && entry.requestKey === requestKey && !entry.due && entry.renewAt > this.now()) return entry.issued;
    const issued = this.sign(request, uris);
    const fresh: Entry = { requestKey, issued, renewAt: Infinity, due: false };
    this.entries.set(proxyKey, fresh);
    issued.then(
      (id) => {
        if (this.entries.get(proxyKey) !== fresh) return;
        const lifetime = id.expiresAt.getTime() - this.now();
        fresh.renewAt = id.expiresAt.getTime() - lifetime * RENEW_WHEN_LEFT;
        this.arm();
      },
      () => this.entries.get(proxyKey) === fresh && this.entries.delete(proxyKey),
    );
    return issued;
  }

  /** Drops a disconnected proxy's certificate. */
  forget(proxyKey: string): void {
    this.entries.delete(proxyKey);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  get size(): number {
    return this.entries.size;
  }

  private async sign(request: IdentityRequest, uris: string[]): Promise<IssuedIdentity> {
    const { ca } = request;
    const cert = await this.signer.sign({ caCertPem: ca.certPem, caKeyPem: ca.keyPem, uris, lifetimeMs: ca.workloadLifetimeMs, nowMs: this.now() });
    return { certPem: cert.certPem, keyPem: cert.keyPem, caPem: ca.certPem, expiresAt: new Date(cert.notAfterMs), key: hash([cert.certPem]) };
  }

  private arm(): void {
    let next = Infinity;
    for (const e of this.entries.values()) next = Math.min(next, e.renewAt);
    if (next === Infinity || next >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, next - this.now())));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.now();
    const due: string[] = [];
    for (const [k, e] of this.entries) {
      if (e.renewAt > now) continue;
      e.due = true;
      e.renewAt = Infinity;
      due.push(k);
    }
    if (due.length > 0) this.onRenewalDue(due);
    this.arm();
  }
}

function hash(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);
}
