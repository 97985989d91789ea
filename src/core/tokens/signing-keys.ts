import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AlreadyExistsError, UnauthenticatedError } from '../errors.js';
import type { ResourceManager } from '../manager/resource-manager.js';
import type { Resource } from '../resources/model.js';
import type { ResourceOf } from '../resources/typed-resource.js';
import type { SecretSpec } from '../resources/specs.js';
import { keyPairFromPem } from './jwt.js';

/** Where one kind of token keeps its signing keys: Secrets (mesh-scoped) or GlobalSecrets named `<prefix>-<serial>`. */
export interface KeyScope {
  readonly type: 'Secret' | 'GlobalSecret';
  /** '' for GlobalSecrets. */
  readonly mesh: string;
  readonly prefix: string;
}

export interface SigningKey {
  readonly kid: number;
  readonly name: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** `<prefix>-<n>` is serial n; the bare `<prefix>` is serial 0 (Kuma keeps it for 1.3 keys). */
export function serialOf(prefix: string, name: string): number | undefined {
  if (name === prefix) return 0;
  if (!name.startsWith(`${prefix}-`)) return undefined;
  const rest = name.slice(prefix.length + 1);
  return /^[1-9]\d{0,8}$/.test(rest) ? Number(rest) : undefined;
}

const generateRsa = promisify(generateKeyPair);

/** A new RSA 2048 key as Kuma stores it: PEM `RSA PRIVATE KEY` (PKCS#1), base64 in the Secret's data. Generated off the event loop. */
export async function newSigningKeyData(): Promise<string> {
  const { privateKey } = await generateRsa('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  return Buffer.from(privateKey).toString('base64');
}

/** A Secret or GlobalSecret holding a signing key (both have the Secret schema). */
type SigningKeyResource = ResourceOf<'Secret' | 'GlobalSecret'>;

// Module-level on purpose: a key pair is a pure function of the stored Secret object it is keyed by (resources are
// immutable; an update is a new object), and goes with it.
const parsed = new WeakMap<Resource, { privateKey: KeyObject; publicKey: KeyObject }>();

function keyOf(r: SigningKeyResource, kid: number): SigningKey {
  let pair = parsed.get(r);
  if (!pair) {
    pair = keyPairFromPem(Buffer.from(r.spec.data, 'base64').toString('utf8'));
    parsed.set(r, pair);
  }
  return { kid, name: r.meta.name, ...pair };
}

/**
 * Signing keys of one token kind: issuing uses the highest serial, validation picks the key by `kid`.
 * Rotation = add `<prefix>-<n+1>` (new tokens use it), reissue, delete the old one (its tokens stop working).
 */
export class SigningKeys {
  constructor(
    private readonly manager: Pick<ResourceManager, 'list' | 'find' | 'create'>,
    readonly scope: KeyScope,
  ) {}

  private async all(): Promise<{ serial: number; resource: SigningKeyResource }[]> {
    const list = await this.manager.list(this.scope.type, this.scope.type === 'Secret' ? { mesh: this.scope.mesh } : {});
    const out: { serial: number; resource: SigningKeyResource }[] = [];
    for (const r of list) {
      const serial = serialOf(this.scope.prefix, r.meta.name);
      if (serial !== undefined) out.push({ serial, resource: r });
    }
    return out.sort((a, b) => b.serial - a.serial);
  }

  /** The key new tokens are signed with, creating `<prefix>-1` when there is none yet. */
  async current(): Promise<SigningKey> {
    const newest = (await this.all())[0];
    if (newest) return keyOf(newest.resource, newest.serial);
    const key = { name: `${this.scope.prefix}-1`, mesh: this.scope.mesh };
    try {
      await this.manager.create(this.scope.type, key, { data: await newSigningKeyData() } satisfies SecretSpec);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
    const created = await this.manager.find(this.scope.type, key);
    if (!created) throw new Error(`signing key ${key.name} vanished right after it was created`);
    return keyOf(created, 1);
  }

  /** The key a token names; UnauthenticatedError when it is gone (rotated out) or was never there. */
  async byKid(kid: number): Promise<SigningKey> {
    const name = kid === 0 ? this.scope.prefix : `${this.scope.prefix}-${kid}`;
    const r = await this.manager.find(this.scope.type, { name, mesh: this.scope.mesh });
    if (!r) {
      const where = this.scope.type === 'Secret' ? `Secret ${name} of mesh ${this.scope.mesh}` : `GlobalSecret ${name}`;
      throw new UnauthenticatedError(`there is no signing key with KID ${kid} (${where} not found); if the signing key was rotated, regenerate the token`);
    }
    try {
      return keyOf(r, kid);
    } catch {
      throw new UnauthenticatedError(`signing key ${name} is not a PEM RSA private key`);
    }
  }
}
