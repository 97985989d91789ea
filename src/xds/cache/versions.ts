import { createHash } from 'node:crypto';

/** A short content hash over ordered parts; equal inputs give equal versions across restarts. */
export function hashParts(parts: Iterable<string>): string {
  // One update of the joined text hashes the same bytes as an update per part and separator, without a
  // native call per piece (this runs for every resource type of every proxy on every change).
  let text = '';
  for (const p of parts) text += `${p}\0`;
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Version of a set of resources: the hash of their sorted (name, version) pairs. */
export function setVersion(entries: Iterable<{ readonly name: string; readonly version: string }>, salt = ''): string {
  const pairs: string[] = [];
  for (const e of entries) pairs.push(`${e.name}\u0001${e.version}`);
  pairs.sort();
  if (salt) pairs.push(`salt\u0001${salt}`);
  return hashParts(pairs);
}
