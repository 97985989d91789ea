import type protobuf from 'protobufjs';
import { contentVersion } from '../../envoy/encode.js';
import { envoyType } from '../../envoy/protos.js';
import type { EncodedResource, TypeUrl } from '../../resource.js';
import { ResourceSet } from '../resource-set.js';
import { originOf } from './origin.js';

export type Msg = Record<string, unknown>;

/** One resource while a template is applied: decoded only once a modification needs its content. */
export interface TemplateEntry {
  readonly typeUrl: TypeUrl;
  readonly name: string;
  readonly origin: string;
  /** The generated resource, while nothing replaced it. */
  readonly original: EncodedResource | undefined;
  /** The decoded message, once decoded (then it is what the result is encoded from). */
  message: Msg | undefined;
  /** The first step that added or changed it, for reports. */
  touchedBy: string | undefined;
}

/** A changed or added resource of the result, with the step that made it. */
export interface ChangedResource {
  readonly resource: EncodedResource;
  readonly by: string;
}

/**
 * The resources a template works on (one group of a proxy's resources), by type and name. With `additions`
 * off (a proxy's own group, while its shared group takes the additions), adding a resource removes the one
 * of the same name here instead: the shared group's copy wins, as it would in one set.
 */
export class TemplateResources {
  private readonly byType = new Map<string, Map<string, TemplateEntry>>();

  constructor(
    resources: readonly EncodedResource[],
    private readonly additions: boolean,
  ) {
    for (const r of resources) this.put({ typeUrl: r.typeUrl, name: r.name, origin: originOf(r.typeUrl, r.name), original: r, message: undefined, touchedBy: undefined });
  }

  /** The entries of a type (a copy: modifications may remove while iterating). */
  list(typeUrl: TypeUrl): TemplateEntry[] {
    return [...(this.byType.get(typeUrl)?.values() ?? [])];
  }

  /** The entry's message for changing it, decoded on first use; `by` names the step. */
  edit(entry: TemplateEntry, by: string): Msg {
    if (!entry.message) entry.message = envoyType(entry.typeUrl).decode(entry.original?.bytes ?? new Uint8Array()) as unknown as Msg;
    entry.touchedBy ??= by;
    return entry.message;
  }

  /** Adds (or replaces) a resource given as a message of its type. */
  add(typeUrl: TypeUrl, name: string, message: Msg, origin: string, by: string): void {
    if (!this.additions) {
      this.byType.get(typeUrl)?.delete(name);
      return;
    }
    this.put({ typeUrl, name, origin, original: undefined, message, touchedBy: by });
  }

  remove(entry: TemplateEntry): void {
    this.byType.get(entry.typeUrl)?.delete(entry.name);
  }

  /**
   * The resulting resources in push order: untouched ones as they were (same object, same bytes), decoded
   * ones encoded again (the original object when the bytes did not change), and which of them changed.
   */
  result(): { resources: EncodedResource[]; changed: ChangedResource[] } {
    const set = new ResourceSet();
    const changed: ChangedResource[] = [];
    for (const byName of this.byType.values()) {
      for (const e of byName.values()) {
        if (!e.message) {
          if (e.original) set.add(e.original);
          continue;
        }
        const type: protobuf.Type = envoyType(e.typeUrl);
        const bytes = type.encode(e.message).finish();
        if (e.original && Buffer.compare(Buffer.from(bytes), Buffer.from(e.original.bytes)) === 0) {
          set.add(e.original);
          continue;
        }
        const resource: EncodedResource = { typeUrl: e.typeUrl, name: e.name, version: contentVersion(bytes), bytes };
        set.add(resource);
        changed.push({ resource, by: e.touchedBy ?? '' });
      }
    }
    return { resources: set.toArray(), changed };
  }

  private put(entry: TemplateEntry): void {
    let byName = this.byType.get(entry.typeUrl);
    if (!byName) this.byType.set(entry.typeUrl, (byName = new Map<string, TemplateEntry>()));
    byName.set(entry.name, entry);
  }
}
