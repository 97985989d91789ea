import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import type { ResourceManager } from '../core/manager/resource-manager.js';
import { describeKey, type ResourceKey, type ResourceTypeName } from '../core/resources/model.js';
import { isResourceTypeName } from '../core/resources/registry.js';
import type { BatchWrite } from '../core/store/resource-store.js';
import type { UpdateMsg, WireVersion } from './kds-proto.js';
import { exportedLabels } from './labels.js';
import { resourceVersion } from './resource-version.js';
import type { SyncScope } from './sync-scope.js';
import type { StatKind } from './type-sender.js';
import { keyString } from './wire-resource.js';

/** Longest NACK message: the peer logs it, it must stay readable. */
const MAX_ERROR_CHARS = 4000;

export type ApplyResult = { ok: true; written: number } | { ok: false; error: string };

/**
 * The receiving side of KDS: applies one update of the peer exactly and atomically, or applies nothing and
 * explains why. Scope and ownership are checked here for every resource; the specs are validated by
 * `manager.transact`, which validates every write of the batch before writing any (labels mark them synced,
 * so the `<zone>.` names are accepted) and reports every violation.
 */
export class Sink {
  constructor(
    private readonly manager: ResourceManager,
    private readonly scope: SyncScope,
    private readonly consumes: ReadonlySet<ResourceTypeName>,
    private readonly log: Logger,
    private readonly onStat?: (type: ResourceTypeName, kind: StatKind) => void,
  ) {}

  /** What this side holds of `type`, named and versioned as the peer does (for Subscribe). */
  async held(type: ResourceTypeName): Promise<WireVersion[]> {
    const local = await this.scope.list(type);
    return local.map((r) => ({ ...this.scope.toPeer(r.meta), version: resourceVersion(r.spec, exportedLabels(r.meta.labels, this.scope.direction)) }));
  }

  async apply(update: UpdateMsg): Promise<ApplyResult> {
    if (!isResourceTypeName(update.type)) return { ok: false, error: `unknown resource type "${update.type}"` };
    const type = update.type;
    if (!this.consumes.has(type)) return this.reject(type, `resource type ${type} is not accepted from ${this.scope.peer}`);
    this.onStat?.(type, 'sent');
    try {
      const writes = await this.plan(type, update);
      if (typeof writes === 'string') return this.reject(type, writes);
      if (writes.length > 0) await this.manager.transact(writes);
      this.onStat?.(type, 'acked');
      this.log.debug({ type, nonce: update.nonce, resources: update.resources.length, removed: update.removed.length, written: writes.length }, 'applied update');
      return { ok: true, written: writes.length };
    } catch (err) {
      return this.reject(type, errorMessage(err));
    }
  }

  private reject(type: string, why: string): ApplyResult {
    if (isResourceTypeName(type)) this.onStat?.(type, 'rejected');
    const error = `${type}: ${why}`.slice(0, MAX_ERROR_CHARS);
    this.log.info({ type, error }, `rejected update from ${this.scope.peer} (NACK)`);
    return { ok: false, error };
  }

  /** The writes for an update, or a message saying why nothing may be written. */
  private async plan(type: ResourceTypeName, update: UpdateMsg): Promise<BatchWrite[] | string> {
    const problems: string[] = [];
    const seen = new Set<string>();
    const writes: BatchWrite[] = [];
    for (const r of update.resources) {
      const key = this.scope.toLocal(r.meta);
      const what = describeKey(type, { mesh: r.meta.mesh, name: r.meta.name });
      if (!this.checkUnique(seen, key, what, problems)) continue;
      const spec = parseSpec(r.spec);
      if (spec === undefined) {
        problems.push(`${what}: spec is not a JSON object`);
        continue;
      }
      const scopeProblem = this.scope.outOfScope(type, r.meta.labels, spec);
      if (scopeProblem) {
        problems.push(`${what}: ${scopeProblem}`);
        continue;
      }
      const existing = await this.manager.find(type, key);
      if (existing && !this.scope.owns(type, existing)) {
        problems.push(`${what}: conflicts with a local ${describeKey(type, key)} that was not synced from ${this.scope.peer}`);
        continue;
      }
      const labels = this.scope.labels(r.meta.labels);
      if (!existing) {
        writes.push({ op: 'create', type, key, spec, options: { labels, ...(this.scope.owner ? { owner: this.scope.owner } : {}) } });
      } else if (resourceVersion(existing.spec, exportedLabels(existing.meta.labels, this.scope.direction)) !== r.meta.version || !sameLabels(existing.meta.labels, labels)) {
        writes.push({ op: 'update', type, key, spec, options: { labels } });
      }
    }
    for (const k of update.removed) {
      const key = this.scope.toLocal(k);
      const what = describeKey(type, k);
      if (!this.checkUnique(seen, key, what, problems)) continue;
      const existing = await this.manager.find(type, key);
      if (!existing) continue;
      if (!this.scope.owns(type, existing)) {
        problems.push(`${what}: cannot remove a local ${describeKey(type, key)} that was not synced from ${this.scope.peer}`);
        continue;
      }
      writes.push({ op: 'delete', type, key });
    }
    return problems.length > 0 ? problems.join('; ') : writes;
  }

  private checkUnique(seen: Set<string>, key: ResourceKey, what: string, problems: string[]): boolean {
    const k = keyString(key);
    if (seen.has(k)) {
      problems.push(`${what}: appears more than once in one update`);
      return false;
    }
    seen.add(k);
    return true;
  }
}

function parseSpec(json: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function sameLabels(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => a?.[k] === b[k]);
}
