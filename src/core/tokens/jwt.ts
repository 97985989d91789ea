import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { UnauthenticatedError } from '../errors.js';

/** Registered claims Kuma's issuer sets on every token (pkg/core/tokens/issuer.go). */
export interface RegisteredClaims {
  readonly jti: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
}

/** Kuma lets a token be used up to 5 minutes before its `iat` (clock skew between CPs). */
const NOT_BEFORE_SKEW_S = 5 * 60;

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/**
 * Signs `claims` as a JWT: RS256, header `kid` = the signing key's serial as a decimal string, `typ: JWT`,
 * with `jti` (random UUID), `iat` = now, `nbf` = now - 5 min and `exp` = now + validForMs.
 */
export function signJwt(claims: object, key: { kid: number; privateKey: KeyObject }, validForMs: number, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const registered: RegisteredClaims = { jti: randomUUID(), iat, nbf: iat - NOT_BEFORE_SKEW_S, exp: iat + Math.floor(validForMs / 1000) };
  const header = b64url(JSON.stringify({ alg: 'RS256', kid: String(key.kid), typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ ...claims, ...registered }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key.privateKey);
  return `${header}.${payload}.${b64url(signature)}`;
}

export interface DecodedJwt {
  readonly kid: number;
  readonly payload: Record<string, unknown> & Partial<RegisteredClaims>;
  readonly signed: Buffer;
  readonly signature: Buffer;
}

/** Splits and parses a JWT without trusting it; the `kid` header is mandatory (Kuma 2.1+), only RS256 is accepted. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new UnauthenticatedError('token is not a JWT');
  const [h = '', p = '', s = ''] = parts;
  const header = parseJson(h, 'header');
  if (header['alg'] !== 'RS256') throw new UnauthenticatedError(`unsupported token alg ${JSON.stringify(header['alg'] ?? null)}: only RS256 is accepted`);
  const kidText = header['kid'];
  if (typeof kidText !== 'string' || !/^\d{1,9}$/.test(kidText)) throw new UnauthenticatedError('JWT token must have kid header');
  return { kid: Number(kidText), payload: parseJson(p, 'payload'), signed: Buffer.from(`${h}.${p}`), signature: Buffer.from(s, 'base64url') };
}

/** Checks the signature with `publicKey` and the time claims; returns the payload. */
export function verifyJwt(decoded: DecodedJwt, publicKey: KeyObject, now = Date.now()): DecodedJwt['payload'] {
  if (!verify('RSA-SHA256', decoded.signed, publicKey, decoded.signature)) throw new UnauthenticatedError('token signature is invalid');
  const { exp, nbf } = decoded.payload;
  const t = Math.floor(now / 1000);
  if (typeof exp !== 'number') throw new UnauthenticatedError('token has no exp claim');
  if (t >= exp) throw new UnauthenticatedError(`token expired at ${new Date(exp * 1000).toISOString()}`);
  if (typeof nbf === 'number' && t < nbf) throw new UnauthenticatedError(`token is not valid before ${new Date(nbf * 1000).toISOString()}`);
  return decoded.payload;
}

function parseJson(part: string, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UnauthenticatedError(`token ${what} is not a JSON object`);
}

/** A PEM private key (PKCS#1 `RSA PRIVATE KEY` as Kuma stores it, or PKCS#8) and its public half. */
export function keyPairFromPem(pem: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const privateKey = createPrivateKey({ key: pem, format: 'pem' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
