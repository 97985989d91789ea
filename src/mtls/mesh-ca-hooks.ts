import { PreconditionFailedError, ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logging.js';
import type { WriteHooks } from '../core/manager/write-hooks.js';
import type { Spec } from '../core/resources/model.js';
import type { ResourceOf } from '../core/resources/typed-resource.js';
import type { DataSource, MeshSpec } from '../core/resources/specs.js';
import type { BatchWrite, ResourceStore } from '../core/store/resource-store.js';
import { builtinCaSecretNames, builtinCaSettings, caSecretsOf, dataSourceText, enabledMtlsBackend, type MtlsBackend } from './mesh-ca.js';
import { CertificateError, generateRootCa, loadCaSigner } from './x509.js';

const CHANGE_FORBIDDEN = 'Changing CA when mTLS is enabled is forbidden. Disable mTLS first and then change a CA';

/**
 * The mesh CA rules on user writes (Kuma's mesh manager and secret validator):
 * - a Mesh with `builtin` backends gets each backend's CA generated once and stored as the Secrets
 *   `<mesh>.ca-builtin-cert-<backend>` / `<mesh>.ca-builtin-key-<backend>` in the same transaction;
 * - a `provided` backend must name a loadable CA (a CA certificate and its matching key);
 * - while mTLS is on, the enabled backend may not be switched, removed or retyped, and the Secrets its CA
 *   is read from may not be deleted.
 * Only the leader writes meshes on a global (API writes go there); zones receive the CA Secrets over KDS.
 */
export function meshCaHooks(store: ResourceStore, log: Logger): WriteHooks {
  return {
    async checkWrite(type, key, spec, current) {
      if (type !== 'Mesh') return;
      const next = spec as unknown as MeshSpec;
      if (current) refuseBackendChange(current.spec, next);
      await checkProvided(store, key.name, next);
    },
    async extraWrites(type, key, spec) {
      if (type !== 'Mesh') return [];
      const next = spec as unknown as MeshSpec;
      const writes: BatchWrite[] = [];
      for (const backend of next.mtls?.backends ?? []) {
        if (backend.type !== 'builtin') continue;
        const names = builtinCaSecretNames(key.name, backend.name);
        const [cert, caKey] = await Promise.all([
          store.find('Secret', { name: names.cert, mesh: key.name }),
          store.find('Secret', { name: names.key, mesh: key.name }),
        ]);
        if (cert && caKey) continue;
        const { rsaBits, lifetimeMs } = builtinCaSettings(backend);
        const ca = await generateRootCa(key.name, rsaBits, lifetimeMs);
        for (const [name, pem, existing] of [
          [names.cert, ca.certPem, cert],
          [names.key, ca.keyPem, caKey],
        ] as const) {
          const secret = { data: Buffer.from(pem).toString('base64') } as unknown as Spec;
          writes.push(existing ? { op: 'update', type: 'Secret', key: { name, mesh: key.name }, spec: secret } : { op: 'create', type: 'Secret', key: { name, mesh: key.name }, spec: secret });
        }
        log.info({ mesh: key.name, backend: backend.name, rsaBits, lifetimeMs }, 'generated builtin CA');
      }
      return writes;
    },
    async checkDelete(type, key) {
      if (type !== 'Secret') return;
      const mesh = await store.find('Mesh', { name: key.mesh, mesh: '' });
      const backend = mesh && enabledMtlsBackend(mesh.spec);
      if (!backend || !caSecretsOf(key.mesh, backend).includes(key.name)) return;
      const message = `The secret "${key.name}" that you are trying to remove is currently in use in Mesh "${key.mesh}" in mTLS backend "${backend.name}". Please remove the reference from the Mesh, change the mTLS backend or disable mTLS first.`;
      throw new PreconditionFailedError(message, [{ field: 'name', message }]);
    },
  };
}

function refuseBackendChange(current: MeshSpec, next: MeshSpec): void {
  const enabled = enabledMtlsBackend(current);
  if (!enabled) return;
  const nextEnabled = next.mtls?.enabledBackend;
  if (!nextEnabled) return; // disabling mTLS is allowed
  const nextBackend = enabledMtlsBackend(next);
  if (nextEnabled !== enabled.name || !nextBackend || !sameBackend(enabled, nextBackend)) {
    throw new ValidationError([{ field: 'mtls.enabledBackend', message: CHANGE_FORBIDDEN }]);
  }
}

/** The CA a backend stands for: its type and CA settings (dpCert rotation may change while mTLS is on). */
function sameBackend(a: MtlsBackend, b: MtlsBackend): boolean {
  return a.type === b.type && JSON.stringify(a.conf ?? {}) === JSON.stringify(b.conf ?? {});
}

async function checkProvided(store: ResourceStore, mesh: string, spec: MeshSpec): Promise<void> {
  const provided = (spec.mtls?.backends ?? []).filter((b) => b.type === 'provided');
  if (provided.length === 0) return;
  const secrets = new Map((await store.list('Secret', { mesh })).map((s): [string, ResourceOf<'Secret'>] => [s.meta.name, s]));
  for (const backend of provided) {
    const index = (spec.mtls?.backends ?? []).indexOf(backend);
    const conf = (backend.conf ?? {}) as { cert?: DataSource; key?: DataSource };
    const field = `mtls.backends[${index}].conf`;
    const cert = dataSourceText(secrets, conf.cert, 'cert');
    const key = dataSourceText(secrets, conf.key, 'key');
    if (typeof cert !== 'string') throw new ValidationError([{ field: `${field}.cert`, message: `could not load the CA: ${cert.error}` }]);
    if (typeof key !== 'string') throw new ValidationError([{ field: `${field}.key`, message: `could not load the CA: ${key.error}` }]);
    try {
      await loadCaSigner(cert, key);
    } catch (err) {
      if (!(err instanceof CertificateError)) throw err;
      throw new ValidationError([{ field, message: `could not load the CA: ${err.message}` }]);
    }
  }
}
