import { parse as parseYaml } from 'yaml';
import { fromApiJson } from '../../api-server/resource-json.js';
import { AccessDeniedError, BadRequestError, NotFoundError, errorMessage, type Violation } from '../../core/errors.js';
import type { Logger } from '../../core/logging.js';
import type { Spec } from '../../core/resources/model.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import type { NodeInfo } from '../server/node-identity.js';

export const INLINE_DATAPLANE_KEY = 'dataplane.resource';
/** Marks a Dataplane created by an inline registration (persisted: a restarted CP still knows which ones it may remove or replace). */
export const REGISTRATION_LABEL = 'kuma.io/registration';
export const INLINE_REGISTRATION = 'inline';

export const isInlineRegistered = (r: { meta: { labels?: Readonly<Record<string, string>> } }): boolean => r.meta.labels?.[REGISTRATION_LABEL] === INLINE_REGISTRATION;

export interface Registration {
  /** The Dataplane came inline in node metadata: it is removed when the last stream of it ends. */
  readonly inline: boolean;
}

/**
 * Data-plane registration on connect (Kuma's dataplane_lifecycle): the mesh must exist; the Dataplane
 * must exist or come inline in node metadata (`dataplane.resource`, flat YAML/JSON), which is upserted
 * and deleted again when its last stream ends, unless the control plane itself is shutting down.
 * An inline registration never replaces a Dataplane it did not create (one made through the API).
 * Operations on one dataplane run one after another so a reconnect cannot lose its registration.
 */
export class DataplaneLifecycle {
  private readonly inlineStreams = new Map<string, number>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly rt: Pick<Runtime, 'store' | 'manager'>,
    private readonly shuttingDown: () => boolean,
    private readonly log: Logger,
  ) {}

  register(info: NodeInfo): Promise<Registration> {
    return this.serialized(info.key, () => this.doRegister(info));
  }

  unregister(info: NodeInfo, reg: Registration): Promise<void> {
    if (!reg.inline) return Promise.resolve();
    return this.serialized(info.key, () => this.doUnregister(info));
  }

  private async doRegister(info: NodeInfo): Promise<Registration> {
    if (info.mesh === '') {
      // A zone ingress: its ZoneIngress must exist (created through the API, or by its owner's tooling).
      if (!(await this.rt.store.find('ZoneIngress', { name: info.name, mesh: '' }))) throw new NotFoundError('ZoneIngress', info.name, '');
      return { inline: false };
    }
    const mesh = await this.rt.store.find('Mesh', { name: info.mesh, mesh: '' });
    if (!mesh) throw new NotFoundError('Mesh', info.mesh, '');
    const key = { name: info.name, mesh: info.mesh };
    const inline = info.metadata[INLINE_DATAPLANE_KEY];
    if (typeof inline === 'string' && inline.trim() !== '') {
      const spec = parseInlineDataplane(inline, info);
      const existing = await this.rt.store.find('Dataplane', key);
      if (existing && !isInlineRegistered(existing)) {
        throw new AccessDeniedError(`Dataplane "${info.name}" in mesh "${info.mesh}" was not registered inline: an inline registration cannot replace it`);
      }
      const { created } = await this.rt.manager.upsert('Dataplane', key, spec, { labels: { ...existing?.meta.labels, [REGISTRATION_LABEL]: INLINE_REGISTRATION } });
      this.inlineStreams.set(info.key, (this.inlineStreams.get(info.key) ?? 0) + 1);
      this.log.info({ mesh: info.mesh, dataplane: info.name, created }, 'inline dataplane registered');
      return { inline: true };
    }
    if (!(await this.rt.store.find('Dataplane', key))) throw new NotFoundError('Dataplane', info.name, info.mesh);
    return { inline: false };
  }

  private async doUnregister(info: NodeInfo): Promise<void> {
    const left = (this.inlineStreams.get(info.key) ?? 1) - 1;
    if (left > 0) {
      this.inlineStreams.set(info.key, left);
      return;
    }
    this.inlineStreams.delete(info.key);
    if (this.shuttingDown()) {
      this.log.info({ mesh: info.mesh, dataplane: info.name }, 'inline dataplane kept: control plane is shutting down');
      return;
    }
    try {
      await this.rt.manager.delete('Dataplane', { name: info.name, mesh: info.mesh });
      this.log.info({ mesh: info.mesh, dataplane: info.name }, 'inline dataplane removed after disconnect');
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /**
   * Removes `key` if it is still an inline registration without a stream here (a ghost left by a
   * control plane that was killed); `stillWanted` re-checks other instances' streams just before.
   */
  removeIfOrphan(key: { mesh: string; name: string }, stillOrphan: () => Promise<boolean>): Promise<boolean> {
    return this.serialized(`${key.mesh}.${key.name}`, async () => {
      if (this.inlineStreams.has(`${key.mesh}.${key.name}`)) return false;
      const current = await this.rt.store.find('Dataplane', key);
      if (!current || !isInlineRegistered(current) || !(await stillOrphan())) return false;
      try {
        await this.rt.manager.delete('Dataplane', key);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        return false;
      }
      return true;
    });
  }

  private serialized<T>(key: string, op: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const run = prev.then(op, op);
    const tail = run.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }
}

/** `dataplane.resource`: the flat Kuma shape `{type, mesh, name, networking, ...}` as YAML or JSON. */
export function parseInlineDataplane(text: string, info: { mesh: string; name: string }): Spec {
  let body: unknown;
  try {
    body = parseYaml(text);
  } catch (err) {
    throw new BadRequestError(`node metadata ${INLINE_DATAPLANE_KEY} is not valid YAML/JSON: ${errorMessage(err)}`);
  }
  const parsed = fromApiJson(body);
  const violations: Violation[] = [];
  if (parsed.type !== undefined && parsed.type !== 'Dataplane') violations.push({ field: 'type', message: 'must be Dataplane' });
  if (parsed.name !== undefined && parsed.name !== info.name) violations.push({ field: 'name', message: `must equal the node id's name "${info.name}"` });
  if (parsed.mesh !== undefined && parsed.mesh !== info.mesh) violations.push({ field: 'mesh', message: `must equal the node id's mesh "${info.mesh}"` });
  if (violations.length > 0) throw new BadRequestError(`node metadata ${INLINE_DATAPLANE_KEY} does not match the node id`, violations);
  return parsed.spec;
}
