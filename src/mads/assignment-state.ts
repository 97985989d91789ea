import { createHash } from 'node:crypto';
import type { Logger } from '../core/logging.js';
import type { StoreView } from '../core/view/store-view.js';
import { monitoringAssignments, type MonitoringAssignment } from './assignments.js';
import { encodeAssignment, MADS_TYPE_URL } from './mads-proto.js';

/** One version of every assignment: what a fetch or a stream is answered with. */
export interface AssignmentSnapshot {
  /** Content hash of every assignment; equal versions mean equal answers. */
  readonly version: string;
  readonly assignments: readonly MonitoringAssignment[];
  /** Protobuf bytes of each assignment, in the same order (the `value` of each Any). */
  readonly encoded: readonly Uint8Array[];
  /** The xDS REST answer body (DiscoveryResponse as JSON) without its nonce, made once per version. */
  json(): string;
}

function snapshotOf(assignments: readonly MonitoringAssignment[]): AssignmentSnapshot {
  const encoded = assignments.map(encodeAssignment);
  const hash = createHash('sha256');
  for (const bytes of encoded) hash.update(String(bytes.length)).update(':').update(bytes);
  const version = hash.digest('base64url').slice(0, 16);
  let body: string | undefined;
  return {
    version,
    assignments,
    encoded,
    json: () => (body ??= JSON.stringify(assignments.map(({ mesh, service, targets, labels }) => ({ '@type': MADS_TYPE_URL, mesh, service, targets, labels })))),
  };
}

/**
 * The monitoring assignments of this control plane's data planes, kept current from the store view (Mesh and
 * Dataplane changes; no store follower of its own). Fetches and streams read `current` and `subscribe` to
 * be told when its version changes. A Dataplane left out for a reason the operator should know is logged
 * once (again only if the reason comes back after going away).
 */
export class AssignmentState {
  private snapshot: AssignmentSnapshot = snapshotOf([]);
  private readonly listeners = new Set<(s: AssignmentSnapshot) => void>();
  private reported = new Set<string>();

  constructor(
    private readonly view: StoreView,
    private readonly localZone: string | undefined,
    private readonly log: Logger,
  ) {}

  get current(): AssignmentSnapshot {
    return this.snapshot;
  }

  /** Loads the current state and follows changes; returns the unsubscribe function. */
  async start(): Promise<() => void> {
    await this.view.start();
    this.rebuild();
    const sub = this.view.watch('mads', () => this.rebuild(), { types: ['Mesh', 'Dataplane'] });
    return () => sub.close();
  }

  /** `listener` is called with each new version until the returned function is called. */
  subscribe(listener: (s: AssignmentSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  private rebuild(): void {
    const { assignments, skipped } = monitoringAssignments(this.view.list('Mesh'), this.view.list('Dataplane'), this.localZone);
    const reported = new Set<string>();
    for (const s of skipped) {
      const key = `${s.mesh}\n${s.dataplane}\n${s.reason}`;
      reported.add(key);
      if (!this.reported.has(key)) this.log.warn({ mesh: s.mesh, dataplane: s.dataplane }, `data plane left out of monitoring assignments: ${s.reason}`);
    }
    this.reported = reported;
    const next = snapshotOf(assignments);
    if (next.version === this.snapshot.version) return;
    const meshesOn = new Set(assignments.map((a) => a.mesh)).size;
    this.log.info({ version: next.version, assignments: assignments.length, meshes: meshesOn }, 'monitoring assignments changed');
    this.snapshot = next;
    for (const l of [...this.listeners]) l(next);
  }
}
