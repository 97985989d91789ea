import { readFileSync } from 'node:fs';
import type { ResourceOf } from '../core/resources/typed-resource.js';
import { certDurationMillis } from '../core/resources/schemas/mesh.js';
import type { DataSource, MeshSpec } from '../core/resources/specs.js';

export type MtlsBackend = NonNullable<NonNullable<MeshSpec['mtls']>['backends']>[number];

/** Kuma's defaults: builtin CA RSA 2048 for 10 years; workload certificates for 24 hours. */
export const DEFAULT_CA_RSA_BITS = 2048;
export const DEFAULT_CA_LIFETIME_MS = 10 * 365 * 86_400_000;
export const DEFAULT_WORKLOAD_LIFETIME_MS = 24 * 3_600_000;

/** Kuma's names of a builtin backend's CA Secrets (mesh-scoped, in the mesh itself). */
export function builtinCaSecretNames(mesh: string, backend: string): { cert: string; key: string } {
  return { cert: `${mesh}.ca-builtin-cert-${backend}`, key: `${mesh}.ca-builtin-key-${backend}` };
}

/** The backend mTLS is on with, or undefined when mTLS is off. */
export function enabledMtlsBackend(spec: MeshSpec): MtlsBackend | undefined {
  const name = spec.mtls?.enabledBackend;
  if (!name) return undefined;
  return spec.mtls?.backends?.find((b) => b.name === name);
}

/** Builtin backend key size and lifetime (`conf.caCert.RSAbits`, `conf.caCert.expiration`). */
export function builtinCaSettings(backend: MtlsBackend): { rsaBits: number; lifetimeMs: number } {
  const caCert = (backend.conf?.['caCert'] ?? {}) as { RSAbits?: number; expiration?: string };
  return {
    rsaBits: caCert.RSAbits || DEFAULT_CA_RSA_BITS,
    lifetimeMs: (caCert.expiration ? certDurationMillis(caCert.expiration) : undefined) || DEFAULT_CA_LIFETIME_MS,
  };
}

/** `dpCert.rotation.expiration` of the backend, default 24h. */
export function workloadLifetimeMs(backend: MtlsBackend): number {
  const text = backend.dpCert?.rotation?.expiration;
  return (text ? certDurationMillis(text) : undefined) || DEFAULT_WORKLOAD_LIFETIME_MS;
}

/** The names of the Secrets the backend's CA is read from (what must not be deleted while it is in use). */
export function caSecretsOf(mesh: string, backend: MtlsBackend): string[] {
  if (backend.type === 'builtin') {
    const n = builtinCaSecretNames(mesh, backend.name);
    return [n.cert, n.key];
  }
  const conf = (backend.conf ?? {}) as { cert?: DataSource; key?: DataSource };
  return [conf.cert?.secret, conf.key?.secret].filter((s): s is string => !!s);
}

export interface MeshCaMaterial {
  readonly backend: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly workloadLifetimeMs: number;
}

export type MeshCaResult = { readonly ca: MeshCaMaterial } | { readonly error: string };

/**
 * The CA of a mesh's enabled mTLS backend, read from the mesh's Secrets (builtin: Kuma's CA Secrets;
 * provided: the backend's `cert`/`key` DataSources). Undefined when mTLS is off; an error naming what is
 * missing when it cannot be read.
 */
export function meshCaMaterial(mesh: string, spec: MeshSpec, secrets: readonly ResourceOf<'Secret'>[]): MeshCaResult | undefined {
  const backend = enabledMtlsBackend(spec);
  if (!backend) return undefined;
  const byName = new Map(secrets.map((s) => [s.meta.name, s]));
  let cert: string | { error: string };
  let key: string | { error: string };
  if (backend.type === 'builtin') {
    const n = builtinCaSecretNames(mesh, backend.name);
    cert = secretText(byName, n.cert);
    key = secretText(byName, n.key);
  } else {
    const conf = (backend.conf ?? {}) as { cert?: DataSource; key?: DataSource };
    cert = dataSourceText(byName, conf.cert, 'cert');
    key = dataSourceText(byName, conf.key, 'key');
  }
  if (typeof cert !== 'string') return { error: `mTLS backend "${backend.name}" of mesh "${mesh}": ${cert.error}` };
  if (typeof key !== 'string') return { error: `mTLS backend "${backend.name}" of mesh "${mesh}": ${key.error}` };
  return { ca: { backend: backend.name, certPem: cert, keyPem: key, workloadLifetimeMs: workloadLifetimeMs(backend) } };
}

function secretText(secrets: ReadonlyMap<string, ResourceOf<'Secret'>>, name: string): string | { error: string } {
  const secret = secrets.get(name);
  if (!secret) return { error: `secret "${name}" not found` };
  const text = Buffer.from(secret.spec.data ?? '', 'base64').toString('utf8');
  return text ? text : { error: `secret "${name}" is empty` };
}

/** A provided CA's DataSource as text; `file` is read from this control plane's disk. */
export function dataSourceText(secrets: ReadonlyMap<string, ResourceOf<'Secret'>>, ds: DataSource | undefined, field: string): string | { error: string } {
  if (!ds) return { error: `conf.${field} is not set` };
  if (ds.secret) return secretText(secrets, ds.secret);
  if (ds.inline) return Buffer.from(ds.inline, 'base64').toString('utf8');
  if (ds.inlineString) return ds.inlineString;
  if (ds.file) {
    try {
      return readFileSync(ds.file, 'utf8');
    } catch (err) {
      return { error: `cannot read conf.${field} file "${ds.file}": ${(err as Error).message}` };
    }
  }
  return { error: `conf.${field} is empty` };
}
