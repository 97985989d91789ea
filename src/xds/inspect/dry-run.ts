import { setImmediate as yieldToIo } from 'node:timers/promises';
import { createTwoFilesPatch } from 'diff';
import type { DryRunner, DryRunResult, ProposedChange, ProxyDryRun, ResourceChange } from '../../core/inspect/dry-run.js';
import { errorMessage } from '../../core/errors.js';
import type { XdsInspector } from '../../core/inspect/xds-inspector.js';
import type { Runtime } from '../../core/runtime/runtime.js';
import type { IssuedIdentity } from '../../mtls/workload-identity.js';
import type { ProxySnapshot } from '../cache/proxy-snapshot.js';
import { toEnvoyJson } from '../envoy/envoy-json.js';
import * as generator from '../generator/index.js';
import type { MeshInputs } from '../generator/index.js';
import { PUSH_ORDER, type EncodedResource } from '../resource.js';
import { ALL_MESHES, affectedMeshes, loadMeshInputs } from '../sync/mesh-inputs.js';
import type { Generators } from '../sync/reconciler.js';
import { proposedInputs } from './proposed-inputs.js';

export interface DryRunDeps<S> {
  /** The generators' inputs of a mesh now (what the reconciler reads); undefined when the mesh does not exist. */
  loadInputs(mesh: string): Promise<MeshInputs | undefined>;
  listMeshes(): Promise<string[]>;
  /** The same generator entry points the reconciler uses. */
  readonly generators: Generators<S>;
  /** Kind of the proxy connected as `<mesh>.<name>` to this instance, if any. */
  connectedKind(key: string): string | undefined;
  /** User agent of that proxy: a proxyless client's load balancers depend on it. */
  connectedUserAgent?(key: string): { readonly name: string; readonly version: string } | undefined;
}

/**
 * With mesh mTLS every sidecar's config includes its workload certificate, which only a connecting proxy is
 * issued. A dry-run generates with this stand-in on both sides: a policy change shows no certificate change, and
 * turning mTLS on shows the identity secret being added (with this text in place of the PEMs).
 */
const DRY_RUN_IDENTITY: Readonly<IssuedIdentity> = {
  certPem: '(the workload certificate issued to the proxy when it connects)',
  keyPem: '(its private key)',
  caPem: '',
  expiresAt: new Date(0),
  key: 'dry-run',
};

/** Longest stretch of generation between yields, so a dry-run over many proxies does not stall streams and DNS. */
const SLICE_MS = 8;

const typeName = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);

function envoyText(r: EncodedResource | undefined): string {
  return r ? `${JSON.stringify(toEnvoyJson(typeName(r.typeUrl), r.bytes), null, 2)}\n` : '';
}

/**
 * The dry-run of a write: every proxy of the affected meshes is generated twice from the same generator
 * entry points the reconciler uses, once from the stored inputs and once from the inputs with the change
 * applied, and the two snapshots are compared per type and per resource. Nothing is stored, no snapshot
 * reaches the cache, no stream is touched.
 */
export function createDryRunner<S>(deps: DryRunDeps<S>): DryRunner {
  return async (change) => {
    const affected = affectedMeshes(change.type, { meta: change.key });
    const meshes = affected === undefined ? [] : affected === ALL_MESHES ? await deps.listMeshes() : [affected];
    const result: { meshes: string[]; examined: number; proxies: ProxyDryRun[]; errors: { mesh: string; name: string; error: string }[] } = { meshes: [], examined: 0, proxies: [], errors: [] };
    const diffs = new Map<string, string>();
    for (const mesh of meshes) {
      const inputs = await deps.loadInputs(mesh);
      if (!inputs) continue;
      result.meshes.push(mesh);
      await dryRunMesh(deps, mesh, inputs, change, result, diffs);
    }
    return result satisfies DryRunResult;
  };
}

async function dryRunMesh<S>(
  deps: DryRunDeps<S>,
  mesh: string,
  inputs: MeshInputs,
  change: ProposedChange,
  result: { examined: number; proxies: ProxyDryRun[]; errors: { mesh: string; name: string; error: string }[] },
  diffs: Map<string, string>,
): Promise<void> {
  const { generators } = deps;
  const after = proposedInputs(inputs, change);
  const snapBefore = generators.buildMeshSnapshot(inputs);
  const snapAfter = generators.buildMeshSnapshot(after, snapBefore);
  const names = [...new Set([...inputs.dataplanes, ...after.dataplanes].map((d) => d.meta.name))].sort();
  const has = (list: MeshInputs['dataplanes'], name: string) => list.some((d) => d.meta.name === name);
  let slice = performance.now();
  for (const name of names) {
    if (performance.now() - slice > SLICE_MS) {
      await yieldToIo();
      slice = performance.now();
    }
    result.examined++;
    const kind = deps.connectedKind(`${mesh}.${name}`);
    const userAgent = deps.connectedUserAgent?.(`${mesh}.${name}`);
    const generate = (snap: S): ProxySnapshot => (kind === 'proxyless' ? generators.proxylessSnapshot(snap, name, userAgent) : generators.sidecarSnapshot(snap, name, DRY_RUN_IDENTITY));
    let before: ProxySnapshot | undefined;
    let next: ProxySnapshot | undefined;
    try {
      before = has(inputs.dataplanes, name) ? generate(snapBefore) : undefined;
    } catch {
      // A proxy that cannot be generated now keeps older config; compare against nothing.
      before = undefined;
    }
    try {
      next = has(after.dataplanes, name) ? generate(snapAfter) : undefined;
    } catch (err) {
      result.errors.push({ mesh, name, error: errorMessage(err) });
      continue;
    }
    const proxy = compare(mesh, name, kind ?? 'envoy', kind !== undefined, before, next, diffs);
    if (proxy) result.proxies.push(proxy);
  }
}

/** The proxy's differences, or undefined when every type version is the same. */
function compare(mesh: string, name: string, kind: string, connected: boolean, before: ProxySnapshot | undefined, after: ProxySnapshot | undefined, diffs: Map<string, string>): ProxyDryRun | undefined {
  const types: ProxyDryRun['types'][number][] = [];
  const resources: ResourceChange[] = [];
  for (const typeUrl of PUSH_ORDER) {
    const vb = before && before.count(typeUrl) > 0 ? before.typeVersion(typeUrl) : '';
    const va = after && after.count(typeUrl) > 0 ? after.typeVersion(typeUrl) : '';
    if (vb === va) continue;
    types.push({ typeUrl, before: vb, after: va });
    const names = new Set([...(before?.names(typeUrl) ?? []), ...(after?.names(typeUrl) ?? [])]);
    for (const n of [...names].sort()) {
      const b = before?.get(typeUrl, n);
      const a = after?.get(typeUrl, n);
      if (b?.version === a?.version) continue;
      resources.push({
        typeUrl,
        name: n,
        change: !b ? 'added' : !a ? 'removed' : 'changed',
        ...(b ? { before: b.version } : {}),
        ...(a ? { after: a.version } : {}),
        diff: diffOf(typeUrl, n, b, a, diffs),
      });
    }
  }
  return types.length === 0 ? undefined : { mesh, name, kind, connected, types, resources };
}

/** One unified diff per distinct (resource, before, after): proxies sharing a resource share its diff. */
function diffOf(typeUrl: string, name: string, b: EncodedResource | undefined, a: EncodedResource | undefined, diffs: Map<string, string>): string {
  const key = `${typeUrl}\u0000${name}\u0000${b?.version ?? ''}\u0000${a?.version ?? ''}`;
  let text = diffs.get(key);
  if (text === undefined) {
    const label = `${typeName(typeUrl).split('.').pop() ?? typeUrl} ${name}`;
    // jsdiff heads a patch with `Index:` and a rule; a unified diff starts at `---`.
    text = createTwoFilesPatch(label, label, envoyText(b), envoyText(a), b ? 'now' : 'absent', a ? 'after' : 'absent', { context: 3 }).replace(/^Index: .*\n=+\n/, '');
    diffs.set(key, text);
  }
  return text;
}

/**
 * The dry-runner of a running control plane: inputs read from the store view the way the reconciler reads them,
 * the real generators, and the kinds of the proxies connected to this instance (none on a global, whose
 * data planes are the zones' synced copies).
 */
export function dryRunnerFor(rt: Runtime, xds: () => XdsInspector | undefined): DryRunner {
  const localZone = rt.config.mode === 'remote' ? rt.config.multizone.remote.zone : undefined;
  return createDryRunner({
    loadInputs: async (mesh) => {
      await rt.view.start();
      return loadMeshInputs(rt.view, mesh, localZone);
    },
    listMeshes: async () => {
      await rt.view.start();
      return rt.view.list('Mesh').map((m) => m.meta.name);
    },
    generators: generator,
    connectedKind: (key) => xds()?.proxy(key)?.kind,
    connectedUserAgent: (key) => xds()?.proxy(key)?.userAgent,
  });
}
