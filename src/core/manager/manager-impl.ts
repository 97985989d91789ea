import { AlreadyExistsError, ConflictError, MeshNotFoundError, PreconditionFailedError, ValidationError, type Violation } from '../errors.js';
import { meshDefaultPolicies } from '../defaults/mesh-defaults.js';
import type { Resource, ResourceKey, ResourceTypeName, Spec } from '../resources/model.js';
import { typeDescriptor, typeNameOf, type TypeRef } from '../resources/registry.js';
import { keyViolations } from '../resources/resource-name.js';
import type { ResourceOf } from '../resources/typed-resource.js';
import { isSynced } from '../resources/labels.js';
import type { BatchWrite, CreateOptions, ListOptions, ResourceStore, UpdateOptions } from '../store/resource-store.js';
import type { ProposedWrite, ResourceManager } from './resource-manager.js';
import type { WriteHooks } from './write-hooks.js';
import { resourceLimitViolations } from '../resource-limits.js';

export interface ManagerOptions {
  /** Create allow-all / route-all / timeout / retry with every new Mesh (standalone and global; not remote). */
  readonly meshDefaults: boolean;
  /** Subsystem rules on user (not KDS-synced) writes: the mesh CA. */
  readonly hooks?: WriteHooks;
}

export class DefaultResourceManager implements ResourceManager {
  constructor(
    private readonly store: ResourceStore,
    private readonly options: ManagerOptions,
  ) {}

  get<N extends ResourceTypeName>(type: TypeRef<N>, key: ResourceKey): Promise<ResourceOf<N>> {
    return this.store.get(typeNameOf(type), key);
  }

  find<N extends ResourceTypeName>(type: TypeRef<N>, key: ResourceKey): Promise<ResourceOf<N> | undefined> {
    return this.store.find(typeNameOf(type), key);
  }

  list<N extends ResourceTypeName>(type: TypeRef<N>, options?: ListOptions): Promise<ResourceOf<N>[]> {
    return this.store.list(typeNameOf(type), options);
  }

  validate(type: ResourceTypeName, key: ResourceKey, spec: unknown, options: { synced?: boolean } = {}): Spec {
    // Size and nesting first: every entry path (REST, KDS, inline registration) comes through here.
    const limitErrors = resourceLimitViolations(spec);
    if (limitErrors.length > 0) throw new ValidationError(limitErrors);
    const keyErrors = keyViolations(type, key, options.synced ?? false);
    let normalised: Spec | undefined;
    let specErrors: readonly Violation[] = [];
    try {
      normalised = typeDescriptor(type).validate(spec, key);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      specErrors = err.violations;
    }
    if (keyErrors.length > 0 || specErrors.length > 0 || !normalised) throw new ValidationError([...keyErrors, ...specErrors]);
    return normalised;
  }

  async create<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: unknown, options?: CreateOptions): Promise<ResourceOf<N>> {
    const synced = isSynced(options?.labels);
    const normalised = await this.admitCreate(type, key, spec, synced);
    const extra = synced || !this.options.hooks ? [] : await this.options.hooks.extraWrites(type, key, normalised);
    const defaults = type === 'Mesh' && this.options.meshDefaults ? this.defaultWrites(key.name) : [];
    if (extra.length > 0 || defaults.length > 0) {
      if (await this.store.find(type, key)) throw new AlreadyExistsError(type, key.name, key.mesh);
      await this.store.transact([{ op: 'create', type, key, spec: normalised, ...(options ? { options } : {}) }, ...defaults, ...extra]);
      return this.store.get(type, key);
    }
    return this.store.create(type, key, normalised, options);
  }

  async update<N extends ResourceTypeName>(type: N, key: ResourceKey, spec: unknown, options?: UpdateOptions): Promise<ResourceOf<N>> {
    const synced = isSynced(options?.labels);
    // Subsystem rules compare with what is stored; synced writes (and a manager without rules) need no read.
    const hooks = synced ? undefined : this.options.hooks;
    const load = async (): Promise<Resource | undefined> => (hooks ? this.store.get(type, key) : undefined);
    const { normalised, current } = await this.admitUpdate(type, key, spec, load, synced, options?.expectedVersion);
    if (!current || !hooks) return this.store.update(type, key, normalised, options);
    const extra = await hooks.extraWrites(type, key, normalised);
    if (extra.length === 0) return this.store.update(type, key, normalised, options);
    await this.store.transact([{ op: 'update', type, key, spec: normalised, ...(options ? { options } : {}) }, ...extra]);
    return this.store.get(type, key);
  }

  async admit(type: ResourceTypeName, key: ResourceKey, write: ProposedWrite): Promise<Spec | undefined> {
    if (write.spec === undefined) {
      await this.admitDelete(type, key);
      return undefined;
    }
    const current = await this.store.find(type, key);
    if (!current) return this.admitCreate(type, key, write.spec, false);
    return (await this.admitUpdate(type, key, write.spec, () => Promise.resolve(current), false, write.expectedVersion)).normalised;
  }

  /** The checks of a create, shared by create() and admit(): validation, the mesh, subsystem rules. */
  private async admitCreate(type: ResourceTypeName, key: ResourceKey, spec: unknown, synced: boolean): Promise<Spec> {
    const normalised = this.validate(type, key, spec, { synced });
    await this.requireMesh(type, key);
    if (!synced) await this.options.hooks?.checkWrite(type, key, normalised, undefined);
    return normalised;
  }

  /** The checks of an update, shared by update() and admit(); `load` reads what is stored when the checks need it. */
  private async admitUpdate(
    type: ResourceTypeName,
    key: ResourceKey,
    spec: unknown,
    load: () => Promise<Resource | undefined>,
    synced: boolean,
    expectedVersion: number | undefined,
  ): Promise<{ normalised: Spec; current: Resource | undefined }> {
    const normalised = this.validate(type, key, spec, { synced });
    const current = await load();
    if (!synced && current) await this.options.hooks?.checkWrite(type, key, normalised, current);
    // The store checks the version again atomically; this answers a dry-run the same way.
    if (current && expectedVersion !== undefined && current.meta.version !== expectedVersion) throw new ConflictError(type, key.name, key.mesh, expectedVersion);
    return { normalised, current };
  }

  async upsert<N extends ResourceTypeName>(
    type: N,
    key: ResourceKey,
    spec: unknown,
    options?: CreateOptions & UpdateOptions,
  ): Promise<{ resource: ResourceOf<N>; created: boolean }> {
    const existing = await this.store.find(type, key);
    if (existing) return { resource: await this.update(type, key, spec, options), created: false };
    try {
      return { resource: await this.create(type, key, spec, options), created: true };
    } catch (err) {
      // Lost a race with a concurrent create: fall back to an update of what is there now.
      if (err instanceof AlreadyExistsError) return { resource: await this.update(type, key, spec, options), created: false };
      throw err;
    }
  }

  async delete(type: ResourceTypeName, key: ResourceKey): Promise<void> {
    await this.admitDelete(type, key);
    await this.store.delete(type, key);
  }

  /** The checks of a delete, shared by delete() and admit(): it exists, subsystem rules, no Mesh with Dataplanes. */
  private async admitDelete(type: ResourceTypeName, key: ResourceKey): Promise<void> {
    await this.store.get(type, key);
    await this.options.hooks?.checkDelete(type, key);
    if (type === 'Mesh') {
      const dataplanes = await this.store.list('Dataplane', { mesh: key.name });
      if (dataplanes.length > 0) {
        throw new PreconditionFailedError('unable to delete mesh, there are still some dataplanes attached', [
          { field: 'mesh', message: 'unable to delete mesh, there are still some dataplanes attached' },
        ]);
      }
    }
  }

  async transact(writes: readonly BatchWrite[]): Promise<void> {
    const violations: Violation[] = [];
    const validated = writes.map((w, i): BatchWrite => {
      if (w.op === 'delete') return w;
      try {
        return { ...w, spec: this.validate(w.type, w.key, w.spec, { synced: isSynced(w.options?.labels) }) };
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        violations.push(...err.violations.map((v) => ({ field: `[${i}] ${w.type} ${w.key.mesh ? `${w.key.mesh}/` : ''}${w.key.name}: ${v.field}`, message: v.message })));
        return w;
      }
    });
    if (violations.length > 0) throw new ValidationError(violations);
    await this.store.transact(validated);
  }

  private async requireMesh(type: ResourceTypeName, key: ResourceKey): Promise<void> {
    if (typeDescriptor(type).scope !== 'mesh') return;
    if (!(await this.store.find('Mesh', { name: key.mesh, mesh: '' }))) throw new MeshNotFoundError(key.mesh);
  }

  private defaultWrites(mesh: string): BatchWrite[] {
    return meshDefaultPolicies(mesh).map((p) => ({
      op: 'create' as const,
      type: p.type,
      key: { name: p.name, mesh },
      spec: this.validate(p.type, { name: p.name, mesh }, p.spec),
    }));
  }
}
