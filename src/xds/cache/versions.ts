import { createHash } from 'node:crypto';

/** A short content hash over ordered parts; equal inputs give equal versions across restarts. */
export function hashParts(parts: Iterable<string>): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/** Version of a set of resources: the hash of their sorted (name, version) pairs. */
export function setVersion(entries: Iterable<{ readonly name: string; readonly version: string }>, salt = ''): string {
  const pairs: string[] = [];
  for (const e of entries) pairs.push(`${e.name}\u0001${e.version}`);
  pairs.sort();
  if (salt) pairs.push(`salt\u0001${salt}`);
  return hashParts(pairs);
}
